//! Secrets: random tokens, their hashes, and encryption at rest.
//!
//! Tokens given to people (session cookies, API tokens, invite links) are 256
//! random bits; the database keeps only their SHA-256, so a copy of the
//! database lets nobody sign in. Secrets we must read back (network access
//! tokens) are sealed with XChaCha20-Poly1305 under the instance key, bound to
//! what they belong to so that a sealed value cannot be moved to another row.

use std::fmt;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// `len` random bytes from the operating system, URL-safe base64.
pub fn random_token(len: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(len))
}

pub fn random_bytes(len: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; len];
    // The OS generator failing means the machine is unusable for anything secure.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

/// The stored form of a token: SHA-256, hex.
pub fn hash_token(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Compares two strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("SOCIALDESK_SECRET_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`): {0}")]
    BadKey(String),
    #[error("cannot read or create the key file {path}: {source}")]
    File { path: String, source: std::io::Error },
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("the sealed secret cannot be opened: wrong key, wrong owner or damaged data")]
pub struct OpenError;

/// The instance key, which seals secrets at rest. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Arc<XChaCha20Poly1305>,
    /// Where the key came from, for the start-up log.
    pub source: KeySource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    File(String),
    Generated(String),
    Ephemeral,
}

impl fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBox(<key from {:?}>)", self.source)
    }
}

const SEALED_PREFIX: &str = "v1:";

impl SecretBox {
    /// The key from `SOCIALDESK_SECRET_KEY` when given, else from `key_file`,
    /// which is created with mode 0600 and a new random key on first run.
    pub fn load(env_key: Option<&str>, key_file: &Path) -> Result<SecretBox, KeyError> {
        if let Some(encoded) = env_key {
            return Ok(SecretBox::from_key(&decode_key(encoded)?, KeySource::Environment));
        }
        let path = key_file.display().to_string();
        let file_error = |source| KeyError::File { path: path.clone(), source };
        match std::fs::read_to_string(key_file) {
            Ok(encoded) => Ok(SecretBox::from_key(&decode_key(&encoded)?, KeySource::File(path))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = random_bytes(32);
                if let Some(dir) = key_file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(file_error)?;
                }
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                match options.open(key_file) {
                    Ok(mut file) => {
                        writeln!(file, "{}", STANDARD.encode(&key)).map_err(file_error)?;
                        file.sync_all().map_err(file_error)?;
                        Ok(SecretBox::from_key(&key, KeySource::Generated(path)))
                    }
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => SecretBox::load(None, key_file),
                    Err(e) => Err(file_error(e)),
                }
            }
            Err(e) => Err(file_error(e)),
        }
    }

    /// A random key that lives as long as the process, for tests.
    pub fn ephemeral() -> SecretBox {
        SecretBox::from_key(&random_bytes(32), KeySource::Ephemeral)
    }

    fn from_key(key: &[u8], source: KeySource) -> SecretBox {
        let cipher = XChaCha20Poly1305::new_from_slice(key).expect("a 32-byte key");
        SecretBox { cipher: Arc::new(cipher), source }
    }

    /// Encrypts `plaintext` for the owner named by `context` (such as
    /// `account:<id>`); only the same context opens it.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let nonce_bytes = random_bytes(24);
        let nonce = nonce_from(&nonce_bytes).expect("24 random bytes");
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = nonce_bytes;
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, OpenError> {
        let encoded = sealed.strip_prefix(SEALED_PREFIX).ok_or(OpenError)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| OpenError)?;
        if bytes.len() < 24 {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        self.cipher
            .decrypt(&nonce_from(nonce).ok_or(OpenError)?, Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| OpenError)
    }
}

fn nonce_from(bytes: &[u8]) -> Option<XNonce> {
    <[u8; 24]>::try_from(bytes).ok().map(XNonce::from)
}

fn decode_key(encoded: &str) -> Result<Vec<u8>, KeyError> {
    let key = STANDARD.decode(encoded.trim()).map_err(|e| KeyError::BadKey(e.to_string()))?;
    if key.len() != 32 {
        return Err(KeyError::BadKey(format!("it decodes to {} bytes", key.len())));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let keys = SecretBox::ephemeral();
        let sealed = keys.seal(b"refresh-token-123", "account:1");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("refresh-token"));
        assert_eq!(keys.open(&sealed, "account:1").unwrap(), b"refresh-token-123");
        assert_eq!(keys.open(&sealed, "account:2"), Err(OpenError));
        assert_eq!(SecretBox::ephemeral().open(&sealed, "account:1"), Err(OpenError));
        assert_eq!(keys.open("v1:AAAA", "account:1"), Err(OpenError));
        assert_ne!(keys.seal(b"x", "c"), keys.seal(b"x", "c"), "a fresh nonce every time");
    }

    #[test]
    fn the_key_file_is_created_once_with_mode_0600() {
        let dir = std::env::temp_dir().join(format!("sd-key-{}", uuid::Uuid::now_v7()));
        let path = dir.join("socialdesk.key");
        let first = SecretBox::load(None, &path).unwrap();
        assert!(matches!(first.source, KeySource::Generated(_)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let sealed = first.seal(b"secret", "ctx");
        let second = SecretBox::load(None, &path).unwrap();
        assert!(matches!(second.source, KeySource::File(_)));
        assert_eq!(second.open(&sealed, "ctx").unwrap(), b"secret");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_key_from_the_environment_must_be_32_bytes() {
        let good = STANDARD.encode([7u8; 32]);
        let from_env = SecretBox::load(Some(&good), Path::new("/nonexistent/never-read")).unwrap();
        assert_eq!(from_env.source, KeySource::Environment);
        let err = SecretBox::load(Some("c2hvcnQ="), Path::new("/x")).unwrap_err();
        assert!(err.to_string().contains("decodes to 5 bytes"), "{err}");
        assert!(format!("{from_env:?}").starts_with("SecretBox(<key from Environment>)"));
    }

    #[test]
    fn tokens_are_random_and_hashes_are_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(hash_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
