"""Nothing to configure: the resourcemanager-emulator wheel's pytest plugin is on by install.

Its fixtures are rm_emulator (the session's server, one per xdist worker), rm_client,
rm_error and rm_requests; its markers rm_world(path) and rm_no_reset.
"""
