//! Embedding vectors: a unit vector drawn from a generator seeded by the
//! input's bytes alone, so the same input gives the same vector on every
//! instance, run and platform, and different inputs give different, nearly
//! orthogonal ones. Nothing here means anything: similar texts are no closer
//! than any two others.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::cut::tokenizer;

/// Keeps embedding seeds apart from the other digests of the same bytes.
const DOMAIN: u64 = 0x656d_6265_6464_696e;

/// The unit vector of `input` with `dimensions` components. It is the first
/// `dimensions` components of any longer vector of the same input,
/// re-normalised, as OpenAI's shortened embeddings are.
pub fn embed(input: &[u8], dimensions: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(xxh3_64_with_seed(input, DOMAIN));
    // The sum of four uniforms, centred, is close to normal, which makes the
    // direction close to uniform on the sphere. Built from additions alone
    // (no libm `ln` or `cos`, whose last bits vary between platforms), and
    // normalised with `sqrt`, which IEEE 754 rounds exactly, it is the same
    // to the bit everywhere.
    let mut draw = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let raw: Vec<f64> = (0..dimensions)
        .map(|_| draw() + draw() + draw() + draw() - 2.0)
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm == 0.0 {
        // Every draw exactly at the centre: never seen, but still a unit vector.
        return (0..dimensions)
            .map(|i| if i == 0 { 1.0 } else { 0.0 })
            .collect();
    }
    raw.iter().map(|x| (x / norm) as f32).collect()
}

/// `vector` as OpenAI's `encoding_format: "base64"` sends it: the
/// little-endian bytes of each `f32`, in standard base64 (the official
/// Python client reads them back with `array("f", b64decode(…))`).
pub fn to_base64(vector: &[f32]) -> String {
    let bytes: Vec<u8> = vector.iter().flat_map(|x| x.to_le_bytes()).collect();
    STANDARD.encode(bytes)
}

/// The bytes a token array stands for, in the vocabulary `usage` counts
/// with, so `[15339]` embeds as "hello" does: clients that send token
/// arrays (LangChain does by default) get the vectors of their text. Err
/// holds the first id the vocabulary lacks.
pub fn token_bytes(ids: &[u32]) -> Result<Vec<u8>, u32> {
    tokenizer().decode_bytes(ids).map_err(|e| e.token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[f32]) -> f64 {
        v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt()
    }

    #[test]
    fn the_same_input_gives_the_same_vector_and_others_differ() {
        assert_eq!(embed(b"hello", 64), embed(b"hello", 64));
        assert_ne!(embed(b"hello", 64), embed(b"hello ", 64));
        assert_ne!(embed(b"", 64), embed(b"\0", 64));
    }

    #[test]
    fn the_vector_does_not_change_between_releases() {
        // Users may store these vectors; a change to the draw breaks them.
        let v = embed(b"hello", 4);
        let golden = [0.002_763_839_2, -0.680_692_8, 0.682_840_17, -0.265_290_35];
        assert_eq!(v, golden, "{v:?}");
    }

    #[test]
    fn vectors_have_unit_length_at_every_size() {
        for dimensions in [1, 2, 3, 256, 1536, 3072] {
            let v = embed(b"some text", dimensions);
            assert_eq!(v.len(), dimensions);
            assert!((norm(&v) - 1.0).abs() < 1e-6, "{dimensions}: {}", norm(&v));
        }
    }

    #[test]
    fn a_shorter_vector_is_the_longer_ones_prefix_renormalised() {
        let long = embed(b"text", 1536);
        let short = embed(b"text", 256);
        let scale = norm(&long[..256]);
        for (s, l) in short.iter().zip(&long[..256]) {
            assert!((f64::from(*s) - f64::from(*l) / scale).abs() < 1e-6);
        }
    }

    #[test]
    fn different_texts_are_nearly_orthogonal() {
        let (a, b) = (embed(b"cats", 1536), embed(b"dogs", 1536));
        let cosine: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
        assert!(cosine.abs() < 0.15, "{cosine}");
    }

    #[test]
    fn base64_is_little_endian_f32() {
        let v = [1.0f32, -0.5, 0.25];
        let bytes = STANDARD.decode(to_base64(&v)).expect("base64");
        let back: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(back, v);
        assert_eq!(to_base64(&[1.0]), "AACAPw==");
    }

    #[test]
    fn token_arrays_stand_for_their_text() {
        let text = "hello, 世界 🎉";
        let ids = tokenizer().encode_ordinary(text);
        assert_eq!(token_bytes(&ids).as_deref(), Ok(text.as_bytes()));
        assert_eq!(token_bytes(&[15339, u32::MAX]), Err(u32::MAX));
    }
}
