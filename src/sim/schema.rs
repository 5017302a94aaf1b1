//! JSON values valid against a JSON Schema, for simulated tool-call arguments
//! and structured output: the same schema and seed always give the same value.
//!
//! [`generate`] reads the schemas real clients send: OpenAI tool `parameters`
//! and `response_format: json_schema` (strict mode included), Anthropic
//! `input_schema`, Gemini function declarations, and Pydantic's
//! `model_json_schema()` with its `$defs`. Each schema is first flattened
//! into a `Shape` (`$ref` and `allOf` merged, `anyOf`/`oneOf` left as
//! choices), a branch and a type are chosen by seed, then one value is built.
//!
//! Best effort, never a panic: a schema no value satisfies, or one that is
//! not a schema at all, still gives a value. Known limits, each for a reason:
//! - `pattern` is matched when Rust's regex syntax reads it and no zero-width
//!   assertion (`\b`) stands in the way; otherwise the string is plain text.
//!   A `format` or `pattern` wins over `minLength`/`maxLength` when they
//!   disagree, since a fixed shape cannot be stretched.
//! - Extra object keys are added only for maps (`additionalProperties` with a
//!   schema) and never beside `patternProperties` or `propertyNames`, whose
//!   keys would have to match a pattern; `dependentRequired`,
//!   `dependentSchemas`, `if`/`then`/`else` and `not` are not read.
//! - Remote references and `$anchor`/`$dynamicRef` are not followed (no I/O);
//!   such a reference constrains nothing.
//! - Work is bounded whatever the schema: arrays hold at most 64 items,
//!   strings at most 4096 characters, objects and arrays nest at most 16
//!   deep (deeper values are `null`), one value is at most 16384 parts, and
//!   integers stay within ±(2^53 − 1), where a double is still exact.
//!   A schema that asks for more gets a smaller, invalid value rather than
//!   a slow request.

mod check;
mod compound;
mod keywords;
mod number;
mod pattern;
mod shape;
mod text;
mod types;

#[cfg(test)]
mod tests;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use check::Check;
use shape::{Choice, Shape};
use types::Kind;

/// From this depth of nesting on, values are kept small: optional keys are
/// left out, arrays hold their minimum, and choices prefer a branch without
/// `$ref`, so recursive schemas (a tree of comments) come to an end.
const SOFT_DEPTH: u32 = 4;
/// A schema with no finite value (a required key that refers back to its own
/// object) is cut off here with `null`; so is real nesting deeper than this,
/// which keeps the stack a generation needs well under a worker thread's.
const HARD_DEPTH: u32 = 16;
/// Values (and attempts at one) built before everything is kept as small as
/// at `SOFT_DEPTH`.
const SOFT_BUDGET: u32 = 4096;
/// Values built before the rest are cut off with `null`: schemas whose
/// smallest value is huge (arrays of at least 64 arrays of at least 64…)
/// must still end quickly.
const HARD_BUDGET: u32 = 16_384;
/// `anyOf`/`oneOf` decided for one value at most; those beyond are left
/// undecided, as a best effort.
const MAX_CHOICES: u32 = 8;
/// Attempts at a `oneOf` value that matches exactly one branch.
const ONE_OF_TRIES: usize = 6;

/// A JSON value valid against `schema`, the same for the same seed.
///
/// `schema` is a JSON Schema document (draft 2020-12, or the older drafts'
/// `definitions`, tuple `items` and boolean exclusive limits); local `$ref`s
/// resolve against it. The value depends only on `schema` and `seed`, on
/// every platform; a schema that cannot be satisfied gives a best-effort
/// value instead of an error.
pub fn generate(schema: &Value, seed: u64) -> Value {
    let mut generator = Generator {
        root: schema,
        rng: ChaCha8Rng::seed_from_u64(seed),
        built: 0,
        check: Check::new(schema),
    };
    generator.value(&[schema], 0)
}

/// The state of one `generate` call.
struct Generator<'s> {
    root: &'s Value,
    rng: ChaCha8Rng,
    /// Values built so far, against `SOFT_BUDGET` and `HARD_BUDGET`.
    built: u32,
    check: Check<'s>,
}

impl<'s> Generator<'s> {
    /// A value satisfying all of `schemas` at nesting `depth`.
    fn value(&mut self, schemas: &[&'s Value], depth: u32) -> Value {
        if depth > HARD_DEPTH {
            return Value::Null;
        }
        let shape = Shape::of_all(self.root, schemas);
        self.build(shape, depth, 0)
    }

    /// Whether values at `depth` should be as small as the schema allows.
    fn minimal(&self, depth: u32) -> bool {
        depth >= SOFT_DEPTH || self.built >= SOFT_BUDGET
    }

    /// A value for `shape`, once `made` choices led to it. Every attempt
    /// counts against the budgets, so retries and reference cycles through
    /// `anyOf` (`{"anyOf": [{"$ref": "#"}]}`) end too.
    fn build(&mut self, mut shape: Shape<'s>, depth: u32, made: u32) -> Value {
        if self.built >= HARD_BUDGET {
            return Value::Null;
        }
        self.built += 1;
        if shape.choices.is_empty() || made >= MAX_CHOICES {
            return self.concrete(&shape, depth);
        }
        let choice = shape.choices.remove(0);
        self.choose(shape, choice, depth, made + 1)
    }

    /// Decides `choice` by seed. A `oneOf` value that matches several
    /// branches is built again from the next branch; when none works out the
    /// first branch is used, as the one a client most likely expects.
    fn choose(&mut self, rest: Shape<'s>, choice: Choice<'s>, depth: u32, made: u32) -> Value {
        let branches = choice.branches;
        let minimal = self.minimal(depth);
        let order = self.branch_order(branches, minimal);
        let tries = if choice.exactly_one && !minimal {
            ONE_OF_TRIES
        } else {
            1
        };
        for &branch in order.iter().cycle().take(tries) {
            let shape = rest.clone().with(self.root, &branches[branch]);
            let value = self.build(shape, depth, made);
            if minimal || !choice.exactly_one || self.check.exactly_one(&value, branches) {
                return value;
            }
        }
        self.build(rest.with(self.root, &branches[0]), depth, made)
    }

    /// Branch indexes in the order to try them: from a seeded start, or,
    /// when values must stay small, those without `$ref` first.
    fn branch_order(&mut self, branches: &[Value], minimal: bool) -> Vec<usize> {
        let count = branches.len();
        if minimal {
            let (mut order, refs): (Vec<usize>, Vec<usize>) =
                (0..count).partition(|&i| !mentions_ref(&branches[i]));
            order.extend(refs);
            return order;
        }
        let start = self.rng.random_range(0..count);
        (start..count).chain(0..start).collect()
    }

    /// A value for a shape whose choices are all made.
    fn concrete(&mut self, shape: &Shape<'s>, depth: u32) -> Value {
        if shape.never {
            return Value::Null;
        }
        if let Some(constant) = shape.constant {
            return constant.clone();
        }
        if let Some(options) = &shape.options {
            return self.option(shape, options);
        }
        if let Some(default) = shape.default
            && self.rng.random_ratio(1, 4)
            && self.check.all(default, &shape.sources)
        {
            return default.clone();
        }
        match self.kind(shape, depth) {
            Kind::Null => Value::Null,
            Kind::Boolean => Value::Bool(self.rng.random_ratio(1, 2)),
            Kind::Integer => number::integer(&mut self.rng, shape),
            Kind::Number => number::number(&mut self.rng, shape),
            Kind::String => text::string(&mut self.rng, shape),
            Kind::Array => self.array(shape, depth),
            Kind::Object => self.object(shape, depth),
        }
    }

    /// One of the `enum` values, among those that satisfy the whole shape
    /// when there are any.
    fn option(&mut self, shape: &Shape<'s>, options: &[&'s Value]) -> Value {
        let fitting: Vec<&Value> = options
            .iter()
            .copied()
            .filter(|option| self.check.all(option, &shape.sources))
            .collect();
        let pool = if fitting.is_empty() {
            options
        } else {
            &fitting
        };
        match pool.len() {
            0 => Value::Null,
            len => pool[self.rng.random_range(0..len)].clone(),
        }
    }

    /// The type to build: by seed among those allowed, or the cheapest when
    /// values must stay small.
    fn kind(&mut self, shape: &Shape<'s>, depth: u32) -> Kind {
        let kinds = shape.types.unwrap_or_else(|| shape.inferred()).kinds();
        match kinds.len() {
            0 => Kind::String,
            _ if self.minimal(depth) => kinds[0],
            len => kinds[self.rng.random_range(0..len)],
        }
    }
}

/// Whether `schema` holds a `$ref` anywhere: a branch without one always
/// comes to an end.
fn mentions_ref(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(mentions_ref),
        Value::Array(items) => items.iter().any(mentions_ref),
        _ => false,
    }
}
