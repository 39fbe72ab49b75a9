//! Transitions are atomic: of many concurrent calls that move one Pending handshake, exactly one
//! succeeds and every other one sees the status it left behind.

use crate::helpers::*;
use resourcemanager_emulator::facade::alibaba::policy;
use std::sync::Barrier;

#[test]
fn of_concurrent_accepts_and_cancels_of_one_handshake_exactly_one_succeeds() {
    const CALLERS: usize = 16;
    for round in 0..5 {
        let app = spawn_app();
        let barrier = Barrier::new(CALLERS);
        let replies: Vec<Reply> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..CALLERS)
                .map(|i| {
                    let call = if i % 2 == 0 {
                        app.call(INVITEE, "AcceptHandshake")
                    } else {
                        app.call(MANAGEMENT, "CancelHandshake")
                    }
                    .handshake("h-Ih8IuPfvV0t0abcd");
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        call.send()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });

        let winners: Vec<_> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(winners.len(), 1, "round {round}: {replies:#?}");
        for loser in replies.iter().filter(|r| r.status != 200) {
            assert_eq!(
                (loser.status, loser.code()),
                (409, "HandshakeStatusMismatch".to_owned()),
                "round {round}"
            );
        }
        let final_status = app.handshake("h-Ih8IuPfvV0t0abcd").unwrap().status;
        assert_eq!(
            winners[0].json()["Handshake"]["Status"],
            policy::status(final_status)
        );
    }
}
