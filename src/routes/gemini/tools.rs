//! The function tools: `tools[].functionDeclarations` and
//! `toolConfig.functionCallingConfig`. Schemas arrive in Google's OpenAPI
//! subset (`"type": "OBJECT"`) or as JSON Schema (`parametersJsonSchema`);
//! both become JSON Schema for the generator.

use serde::Deserialize;
use serde_json::{Value, json};

use super::request::invalid;
use crate::error::ApiError;
use crate::sim::shape::{Tool, ToolChoice};

/// An entry of `tools`; only function declarations can be called, other
/// tools (search, code execution) are accepted and never used.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolField {
    #[serde(default, alias = "function_declarations")]
    function_declarations: Vec<FunctionDeclaration>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FunctionDeclaration {
    name: String,
    parameters: Option<Value>,
    #[serde(alias = "parameters_json_schema")]
    parameters_json_schema: Option<Value>,
}

/// `toolConfig`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ToolConfig {
    #[serde(alias = "function_calling_config")]
    function_calling_config: Option<FunctionCallingConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FunctionCallingConfig {
    mode: Option<String>,
    #[serde(default, alias = "allowed_function_names")]
    allowed_function_names: Vec<String>,
}

/// The declared functions, their parameters as JSON Schema.
pub(super) fn declared(fields: &[ToolField]) -> Result<Vec<Tool>, ApiError> {
    let declarations = fields.iter().flat_map(|f| &f.function_declarations);
    declarations
        .map(|declaration| {
            if declaration.name.is_empty() {
                return Err(invalid("tools", "a function declaration must have a name"));
            }
            let parameters = match (&declaration.parameters_json_schema, &declaration.parameters) {
                (Some(schema), _) => schema.clone(),
                (None, Some(schema)) => json_schema(schema),
                (None, None) => json!({"type": "object", "properties": {}}),
            };
            Ok(Tool {
                name: declaration.name.clone(),
                parameters,
            })
        })
        .collect()
}

/// `functionCallingConfig` as a tool choice: `AUTO` (the default) and
/// `VALIDATED` let the model decide, `ANY` makes it call (the one function
/// when `allowedFunctionNames` names one), `NONE` keeps it from calling.
pub(super) fn tool_choice(
    config: Option<&ToolConfig>,
    tools: &[Tool],
) -> Result<ToolChoice, ApiError> {
    let Some(config) = config.and_then(|c| c.function_calling_config.as_ref()) else {
        return Ok(ToolChoice::Auto);
    };
    let allowed = &config.allowed_function_names;
    let mode = config.mode.as_deref().map(str::to_ascii_uppercase);
    let limited = match mode.as_deref() {
        None | Some("MODE_UNSPECIFIED" | "AUTO" | "NONE") if !allowed.is_empty() => {
            return Err(invalid(
                "toolConfig",
                "toolConfig.functionCallingConfig.allowedFunctionNames may be set only when mode is ANY or VALIDATED",
            ));
        }
        None | Some("MODE_UNSPECIFIED" | "AUTO") => return Ok(ToolChoice::Auto),
        Some("NONE") => return Ok(ToolChoice::None),
        Some("ANY") => ToolChoice::Required,
        Some("VALIDATED") => ToolChoice::Auto,
        Some(other) => {
            let message = format!(
                "toolConfig.functionCallingConfig.mode {other:?} is not one of AUTO, ANY, NONE, VALIDATED"
            );
            return Err(invalid("toolConfig", message));
        }
    };
    if tools.is_empty() {
        let message = format!(
            "toolConfig.functionCallingConfig.mode {} needs tools with functionDeclarations",
            mode.unwrap_or_default()
        );
        return Err(invalid("toolConfig", message));
    }
    if let Some(name) = allowed
        .iter()
        .find(|n| !tools.iter().any(|t| &t.name == *n))
    {
        let message = format!(
            "toolConfig.functionCallingConfig.allowedFunctionNames names {name:?}, which is not among the functionDeclarations"
        );
        return Err(invalid("toolConfig", message));
    }
    Ok(match allowed.as_slice() {
        [only] if limited == ToolChoice::Required => ToolChoice::Named(only.clone()),
        _ => limited,
    })
}

/// The tools the model may call: those `allowedFunctionNames` names, or all.
pub(super) fn allowed(tools: Vec<Tool>, config: Option<&ToolConfig>) -> Vec<Tool> {
    let names = (config.and_then(|c| c.function_calling_config.as_ref()))
        .map(|c| c.allowed_function_names.as_slice())
        .unwrap_or_default();
    if names.is_empty() {
        return tools;
    }
    (tools.into_iter())
        .filter(|tool| names.contains(&tool.name))
        .collect()
}

/// Google's schema as JSON Schema: its type names are upper case
/// (`"OBJECT"`), JSON Schema's lower case; the rest is the same subset.
pub(super) fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(fields) => Value::Object(
            (fields.iter())
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("type", Value::String(name)) => Value::String(name.to_ascii_lowercase()),
                        _ => json_schema(value),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn googles_type_names_become_json_schemas() {
        let google = json!({"type": "OBJECT", "properties": {
            "type": {"type": "STRING", "enum": ["OBJECT"]},
            "tags": {"type": "ARRAY", "items": {"type": "STRING"}},
        }, "required": ["type"]});
        let expected = json!({"type": "object", "properties": {
            "type": {"type": "string", "enum": ["OBJECT"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        }, "required": ["type"]});
        assert_eq!(json_schema(&google), expected);
    }
}
