//! Keys for local runs. Generated on this machine from the OS's randomness, never committed:
//! production keys are Worker secrets set by the operator (see README, Deployment).

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
pub struct Secrets {
    #[serde(rename = "_note", default)]
    pub note: String,
    /// `ACCORD_SIGNING_KEY`: `<kid>:<base64url seed>`.
    pub signing_key: String,
    /// `ACCORD_SUBJECT_KEY`.
    pub subject_key: String,
    /// `ACCORD_ADMIN_TOKEN`.
    pub admin_token: String,
    /// `ACCORD_DATA_KEY`: wraps the per-subject data keys. Added after the first demo
    /// release, so older `secrets.json` files get one on load.
    #[serde(default = "random_key")]
    pub data_key: String,
    /// `ACCORD_TOKEN_KEYS`: keys of signed links, `<kid>:<key>`.
    #[serde(default = "random_token_keys")]
    pub token_keys: String,
}

fn random_token_keys() -> String {
    format!("t1:{}", random_key())
}

fn random_key() -> String {
    URL_SAFE_NO_PAD.encode(random(32))
}

const NOTE: &str =
    "DEMO KEYS, generated locally by cargo xtask for the local demo and tests. Never use them in production.";

fn random(n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut buf)).expect("read /dev/urandom");
    buf
}

impl Secrets {
    pub fn generate(kid: &str) -> Self {
        Self {
            note: NOTE.into(),
            signing_key: format!("{kid}:{}", URL_SAFE_NO_PAD.encode(random(32))),
            subject_key: URL_SAFE_NO_PAD.encode(random(32)),
            admin_token: random_key(),
            data_key: random_key(),
            token_keys: random_token_keys(),
        }
    }

    /// Reuses the keys in `path` so a second demo run reads the data of the first.
    pub fn load_or_create(path: &Path) -> std::io::Result<Self> {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(mut s) = serde_json::from_str::<Self>(&text)
        {
            // Files from before the edge required 32-byte operator tokens held 24 bytes.
            if !s.admin_token.is_empty() && s.admin_token.len() < 43 {
                s.admin_token = random_key();
                eprintln!("{}: the operator token was shorter than 32 bytes; a new one was written", path.display());
            }
            // Persist keys filled in by defaults, so the next run uses the same ones.
            let current = serde_json::to_string_pretty(&s).expect("serialise");
            if current != text {
                std::fs::write(path, current)?;
            }
            return Ok(s);
        }
        let s = Self::generate("demo-1");
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(path, serde_json::to_string_pretty(&s).expect("serialise"))?;
        Ok(s)
    }
}
