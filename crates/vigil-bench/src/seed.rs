//! Deterministic random streams: every part of the portfolio draws from its own
//! generator, derived from the run's seed, a stream name and an index, so that a part
//! can be regenerated alone (one service's releases, one advisory) and always the same.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator every part uses. ChaCha8 is documented to give the same stream on
/// every platform and version of `rand_chacha`, which `StdRng` is not.
pub type Rng = ChaCha8Rng;

/// The generator of `stream`'s `index`-th item under `seed`.
pub fn rng(seed: u64, stream: &str, index: u64) -> Rng {
    let mut h = splitmix(seed ^ fnv1a(stream));
    h = splitmix(h ^ index);
    ChaCha8Rng::seed_from_u64(h)
}

/// FNV-1a: a fixed hash, unlike the standard library's randomly keyed one.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64's finalizer: spreads nearby inputs over the whole range.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use rand::Rng as _;

    use super::rng;

    #[test]
    fn streams_are_repeatable_and_distinct() {
        let a: u64 = rng(7, "pool", 0).random();
        assert_eq!(a, rng(7, "pool", 0).random::<u64>());
        assert_ne!(a, rng(7, "pool", 1).random::<u64>());
        assert_ne!(a, rng(7, "release", 0).random::<u64>());
        assert_ne!(a, rng(8, "pool", 0).random::<u64>());
    }
}
