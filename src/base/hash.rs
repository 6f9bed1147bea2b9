//! Hashes, of two kinds that must not be mixed up.
//!
//! - [`stable`] (FNV-1a) gives the same number for the same bytes on every platform and with
//!   every Rust version: for what is published or named on disk (asset versions in URLs, the
//!   preview folder's name).
//! - [`fingerprint`] and [`fingerprinter`] (the standard library's SipHash, with its fixed
//!   keys) are fast and well mixed but may change with the Rust version: for what one process
//!   compares (page signatures, incident versions) or what the same binary reads back (the
//!   build state, whose header names the binary).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// FNV-1a of `bytes`: stable across platforms and Rust versions.
pub fn stable(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A hasher for fingerprints made of several values in turn.
pub fn fingerprinter() -> DefaultHasher {
    DefaultHasher::new()
}

/// The fingerprint of one value.
pub fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = fingerprinter();
    value.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_is_fnv_1a() {
        // The published test vectors of FNV-1a, 64 bits.
        assert_eq!(stable(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_fingerprint_is_that_of_the_hasher() {
        let mut h = fingerprinter();
        b"abc"[..].hash(&mut h);
        assert_eq!(fingerprint(&b"abc"[..]), h.finish());
    }
}
