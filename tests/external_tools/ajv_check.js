// Compile JSON Schemas with ajv in strict mode and validate instances against them.
// Input (stdin): [{"name", "schema", "instances": [...]}]; output (stdout): one result per schema,
// {"name", "compiled": bool, "error": string|null, "valid": [bool per instance], "errors": [...]}.
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ name, schema, instances }) => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv);
    let validate;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      return { name, compiled: false, error: String(error.message), valid: [], errors: [] };
    }
    const valid = [];
    const errors = [];
    for (const instance of instances) {
      valid.push(validate(instance));
      errors.push(validate.errors ? ajv.errorsText(validate.errors) : null);
    }
    return { name, compiled: true, error: null, valid, errors };
  });
  process.stdout.write(JSON.stringify(results));
});
