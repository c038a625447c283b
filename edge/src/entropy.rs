//! Injected randomness, for data keys and nonces. Production asks the runtime's CSPRNG
//! (`crypto.getRandomValues`); tests use a deterministic source.

use wasm_bindgen::{JsCast, JsValue};

use crate::error::EdgeError;

pub trait Entropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), EdgeError>;

    fn array<const N: usize>(&self) -> Result<[u8; N], EdgeError> {
        let mut out = [0u8; N];
        self.fill(&mut out)?;
        Ok(out)
    }
}

/// The Web Crypto CSPRNG of the Workers runtime.
pub struct RuntimeEntropy;

impl Entropy for RuntimeEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), EdgeError> {
        let unavailable = |_| EdgeError::Internal("crypto.getRandomValues is unavailable".into());
        let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).map_err(unavailable)?;
        let get: js_sys::Function = js_sys::Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))
            .map_err(unavailable)?
            .dyn_into()
            .map_err(|_| EdgeError::Internal("crypto.getRandomValues is not a function".into()))?;
        // getRandomValues takes at most 65536 bytes per call.
        for chunk in buf.chunks_mut(65536) {
            let array = js_sys::Uint8Array::new_with_length(chunk.len() as u32);
            get.call1(&crypto, &array).map_err(unavailable)?;
            array.copy_to(chunk);
        }
        Ok(())
    }
}

/// Deterministic bytes for tests: a counter, never repeating within a test.
#[cfg(test)]
pub struct CountingEntropy(pub std::cell::Cell<u8>);

#[cfg(test)]
impl Entropy for CountingEntropy {
    fn fill(&self, buf: &mut [u8]) -> Result<(), EdgeError> {
        for b in buf {
            self.0.set(self.0.get().wrapping_add(1));
            *b = self.0.get();
        }
        Ok(())
    }
}
