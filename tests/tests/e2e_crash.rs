//! Crash consistency on the real runtime: consents sent concurrently while workerd is killed
//! with SIGKILL and restarted on the same storage. Every acknowledged consent is stored exactly
//! once, the proofs verify and history is only appended to. `cargo xtask soak` runs the same
//! audit at 10,000 submissions.

mod common;

use std::time::Duration;

use common::{SITE, Stack};
use harness::crash::{self, CrashPlan, Target};

#[test]
fn acknowledged_consents_survive_sigkill() {
    let mut stack = Stack::start("crash");
    let config = stack.config.clone();
    let base = stack.edge.url();
    let admin = stack.api.admin_token().to_owned();
    let target = Target { base: &base, admin_token: &admin, site: SITE, config: &config, run_id: "e2e" };
    let plan = CrashPlan { submissions: 300, clients: 6, kills: 3, give_up_after: Duration::from_secs(90) };

    let report = crash::run(&target, &plan, || stack.restart());
    println!("crash run: {}", report.summary());
    assert!(report.ok(), "{}\n{:#?}", report.summary(), report.problems);
    assert_eq!(report.kills, 3);
    assert!(report.retries > 0, "the kills cut requests in flight, which the clients then retried");
    assert_eq!((report.stored, report.lost, report.duplicates), (300, 0, 0));
    assert_eq!(report.bundles_verified, 300);
    assert!(
        report.consistency_proofs_verified > 0,
        "checkpoints taken before the kills were compared with the final ones"
    );

    // The same submissions again, as a client that never saw its answers would send them: all
    // are replays of the stored receipts and nothing is added.
    let again = crash::run(&target, &CrashPlan { kills: 0, ..plan }, || {});
    println!("replay run: {}", again.summary());
    assert!(again.ok(), "{:#?}", again.problems);
    assert_eq!(again.replayed, 300);
    assert_eq!((again.stored, again.duplicates, again.checkpoint_events), (300, 0, 300));
    assert!(!stack.log().contains("crash-e2e-"), "addresses never reach the runtime's log");
}
