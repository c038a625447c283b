//! Proofs from the real edge: bundles exported over the API verify offline, tampering is
//! caught, and the public checkpoints are signed and only ever grow.

mod common;

use accord_core::bundle::{ProofBundle, verify_bundle};
use accord_core::checkpoint::SignedCheckpoint;
use accord_core::keys::Jwks;
use common::{SITE, Stack};
use serde_json::{Value, json};

fn consent(stack: &Stack, email: &str, offers_sms: bool) -> Value {
    let reply = stack.api.post(
        &format!("/v1/sites/{SITE}/consents"),
        &json!({
            "email": email,
            "phone": "06 12 34 56 78",
            "config_version": stack.config["version"],
            "config_hash": stack.config["hash"],
            "choices": [
                {"content_type": "special_offers", "channel": "sms", "granted": offers_sms},
                {"content_type": "service_updates", "channel": "email", "granted": true}
            ]
        }),
    );
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

#[test]
fn exported_bundles_verify_and_tampering_is_caught() {
    let stack = Stack::start("proofs");
    let first = consent(&stack, "lea.martin@example.fr", true);
    consent(&stack, "lea.martin@example.fr", false);
    let subject = first["event"]["subject"].as_str().unwrap().to_owned();
    let shard = first["event"]["shard"].as_u64().unwrap();

    let reply = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let bundle: ProofBundle = serde_json::from_value(reply.body).unwrap();
    assert_eq!(bundle.receipts.len(), 2);
    assert_eq!(bundle.configs.len(), 1);
    let report = verify_bundle(&bundle);
    assert!(report.ok(), "{:?}", report.checks.iter().filter(|c| !c.ok).collect::<Vec<_>>());
    let state = report.state.unwrap();
    let sms = state.choice("special_offers", accord_core::ids::Channel::Sms).unwrap();
    assert!(!sms.granted && sms.withdrawn, "the second event withdrew the first yes");

    // Rewriting history, even consistently re-hashed, breaks the signature or the checkpoint.
    let mut forged = bundle.clone();
    forged.receipts[1].event.recorded_at = forged.receipts[0].event.recorded_at;
    forged.receipts[1].event_hash = accord_core::chain::event_hash(&forged.receipts[1].event);
    assert!(!verify_bundle(&forged).ok());
    let mut forged = bundle.clone();
    forged.receipts.remove(1);
    forged.inclusion.pop();
    assert!(verify_bundle(&forged).ok(), "a subset of true receipts is still true");
    forged.configs[0]["config"]["privacy_policy_url"] = "https://elsewhere.example/".into();
    assert!(!verify_bundle(&forged).ok(), "a different text than the one shown is caught");

    // The shard's public checkpoint is signed and grows consistently with new events.
    let jwks: Jwks = serde_json::from_value(stack.api.get("/v1/keys").body).unwrap();
    let before: SignedCheckpoint =
        serde_json::from_value(stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).body).unwrap();
    before.verify(&jwks).unwrap();
    consent(&stack, "lea.martin@example.fr", true);
    let after: SignedCheckpoint =
        serde_json::from_value(stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/{shard}")).body).unwrap();
    after.verify(&jwks).unwrap();
    assert_eq!(after.checkpoint.size, before.checkpoint.size + 1);
    let reply = stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{subject}/proofs"));
    let newest: ProofBundle = serde_json::from_value(reply.body).unwrap();
    assert_eq!(newest.checkpoint, after);
    assert!(verify_bundle(&newest).ok());
    assert_ne!(before.root(), after.root());
    harness::proofs::assert_extends(&stack.api, SITE, shard, &before, &after);

    // Unknown subjects and shards are clear errors.
    let nobody = format!("sub_{}", "0".repeat(32));
    assert_eq!(stack.api.get_admin(&format!("/v1/sites/{SITE}/subjects/{nobody}/proofs")).status, 404);
    let bad = stack.api.get(&format!("/v1/sites/{SITE}/checkpoints/16"));
    assert_eq!((bad.status, bad.body["field"].as_str()), (422, Some("path.shard")));
}

/// Tiles fetched over HTTP from the edge, read by `tlog_tiles` as any tlog-tiles client would.
struct HttpTiles<'a> {
    api: &'a harness::api::Api,
    prefix: String,
    fetched: std::cell::RefCell<Vec<String>>,
}

impl tlog_tiles::TileReader for HttpTiles<'_> {
    fn height(&self) -> u8 {
        8
    }

    fn read_tiles(&self, tiles: &[tlog_tiles::Tile]) -> Result<Vec<Vec<u8>>, tlog_tiles::Error> {
        tiles
            .iter()
            .map(|t| {
                let path = format!("{}/tile/{}", self.prefix, c2sp_tile_path(t.level(), t.level_index(), t.width()));
                self.fetched.borrow_mut().push(path.clone());
                let (status, _, body) = self.api.send_bytes("GET", &path, &[]);
                if status == 200 { Ok(body) } else { Err(tlog_tiles::Error::InvalidTile) }
            })
            .collect()
    }

    fn save_tiles(&self, _: &[tlog_tiles::Tile], _: &[Vec<u8>]) {}
}

/// c2sp.org/tlog-tiles: `<L>/<N>[.p/<W>]`, N in groups of three digits, all but the last
/// prefixed with `x`. Written here from the spec, not taken from the edge's code.
fn c2sp_tile_path(level: u8, index: u64, width: u32) -> String {
    let digits = format!("{index:03}");
    let padded = format!("{}{digits}", "0".repeat((3 - digits.len() % 3) % 3));
    let groups: Vec<&str> = (0..padded.len()).step_by(3).map(|i| &padded[i..i + 3]).collect();
    let n = groups
        .iter()
        .enumerate()
        .map(|(i, g)| if i + 1 < groups.len() { format!("x{g}") } else { (*g).to_owned() })
        .collect::<Vec<_>>()
        .join("/");
    if width < 256 { format!("{level}/{n}.p/{width}") } else { format!("{level}/{n}") }
}

/// Anyone can audit a shard with tools that know only the C2SP formats and the public key:
/// the checkpoint is a signed note that `signed_note` verifies, tiles fetched by `tlog_tiles`
/// authenticate against its root, events are proven in it from tiles alone, and the entries
/// are the receipts' event hashes.
#[test]
fn a_shard_is_audited_with_transparency_log_tools_alone() {
    let stack = Stack::start("proofs-c2sp");
    let mut receipts = Vec::new();
    for i in 0..300u32 {
        let reply = stack.api.send(
            "POST",
            &format!("/v1/sites/{SITE}/consents"),
            &[("x-forwarded-for", &format!("10.1.{}.{}", i / 200, i % 200)), ("content-type", "application/json")],
            None,
            Some(
                json!({
                    "email": "audit@example.fr",
                    "phone": "06 12 34 56 78",
                    "config_version": stack.config["version"],
                    "config_hash": stack.config["hash"],
                    "choices": [{"content_type": "special_offers", "channel": "sms", "granted": i % 2 == 0}]
                })
                .to_string()
                .as_bytes(),
            ),
        );
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        receipts.push(reply.body);
    }
    let shard = receipts[0]["event"]["shard"].as_u64().unwrap();
    let prefix = format!("/v1/sites/{SITE}/checkpoints/{shard}");

    let keys = stack.api.get("/v1/keys");
    let vkey = keys.body["checkpoint_note_keys"][0].as_str().expect("a signed-note verifier key").to_owned();
    let (status, headers, note) = stack.api.send_bytes("GET", &format!("{prefix}/checkpoint"), &[]);
    assert_eq!(status, 200);
    assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("text/plain")));
    let verifiers = signed_note::VerifierList::new(vec![Box::new(signed_note::StandardVerifier::new(&vkey).unwrap())]);
    let note = signed_note::Note::from_bytes(&note).unwrap();
    let (verified, _) = note.verify(&verifiers).expect("the checkpoint note verifies with the published key");
    assert_eq!(verified.len(), 1);
    let cp = tlog_tiles::Checkpoint::from_bytes(note.text()).unwrap();
    let host = stack.edge.url().trim_start_matches("http://").to_owned();
    assert_eq!(cp.origin(), format!("{host}/{SITE}/{shard}"));
    let size = cp.size();
    assert!(size >= 300, "every event of the shard: {size}");
    let json_cp: SignedCheckpoint = serde_json::from_value(stack.api.get(&prefix).body).unwrap();
    assert_eq!(
        (json_cp.checkpoint.size, json_cp.root().unwrap()),
        (size, cp.hash().0),
        "the same tree head as the JSON checkpoint"
    );

    let tiles = HttpTiles { api: &stack.api, prefix: prefix.clone(), fetched: Default::default() };
    let reader = tlog_tiles::TileHashReader::new(size, *cp.hash(), &tiles);
    for r in [&receipts[0], &receipts[150], &receipts[299]] {
        let seq = r["event"]["seq"].as_u64().unwrap();
        let event_hash = accord_core::chain::unhex32(r["event_hash"].as_str().unwrap()).unwrap();
        let proof = tlog_tiles::prove_record(size, seq - 1, &reader).expect("a proof from authenticated tiles");
        tlog_tiles::check_record(&proof, size, *cp.hash(), seq - 1, tlog_tiles::record_hash(&event_hash))
            .expect("the event is in the signed tree");
    }
    assert!(
        tiles.fetched.borrow().iter().any(|p| p.ends_with("/tile/1/000.p/1")),
        "level-1 tiles were used: {:?}",
        tiles.fetched.borrow()
    );

    // Entry bundles hold the event hashes themselves, each after its length.
    let seq = receipts[299]["event"]["seq"].as_u64().unwrap();
    let (index, width) = ((seq - 1) / 256, size - (seq - 1) / 256 * 256);
    let path = if width < 256 {
        format!("{prefix}/tile/entries/{index:03}.p/{width}")
    } else {
        format!("{prefix}/tile/entries/{index:03}")
    };
    let (status, headers, bundle) = stack.api.send_bytes("GET", &path, &[]);
    assert_eq!(status, 200, "{path}");
    assert!(headers.iter().any(|(k, v)| k == "cache-control" && v.contains("immutable")));
    let at = ((seq - 1) % 256) as usize * 34;
    assert_eq!(&bundle[at..at + 2], &[0, 32]);
    assert_eq!(accord_core::chain::hex(&bundle[at + 2..at + 34]), receipts[299]["event_hash"].as_str().unwrap());

    // Paths outside the spec, and tiles beyond the signed tree, are 404 problems.
    for bad in ["tile/0/000.p/0", "tile/0/x000/001", "tile/9/000", "tile/0/999"] {
        let (status, headers, _) = stack.api.send_bytes("GET", &format!("{prefix}/{bad}"), &[]);
        assert_eq!(status, 404, "{bad}");
        assert!(headers.iter().any(|(k, v)| k == "content-type" && v.starts_with("application/problem+json")), "{bad}");
    }
}
