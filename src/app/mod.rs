//! The application: the shared state built once from the worlds, the one app factory that mounts
//! each facade and the control plane, the edge that guards each connection below the HTTP
//! parser, and the world document that spans both clouds. `main` and
//! the tests both start the emulator through [`startup`].

pub mod durable;
pub mod edge;
pub mod startup;
pub mod state;
pub mod world;

pub use startup::{Application, app};
pub use state::{AppState, Limits};
pub use world::{DEFAULT_WORLD, DEFAULT_WORLD_NAME, WorldDoc, Worlds, load_world};
