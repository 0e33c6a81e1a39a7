// Parses every .tf file of a folder with @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly) and
// prints { "<file>": <HCL as JSON> }. Usage: node terraform_inspect.cjs VERIFIERS_FOLDER TERRAFORM_FOLDER
const { createRequire } = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const [verifiers, folder] = process.argv.slice(2);
const { parse } = createRequire(path.join(path.resolve(verifiers), "package.json"))("@cdktf/hcl2json");

(async () => {
  const result = {};
  for (const name of fs.readdirSync(folder).filter((f) => f.endsWith(".tf")).sort()) {
    result[name] = await parse(name, fs.readFileSync(path.join(folder, name), "utf8"));
  }
  process.stdout.write(JSON.stringify(result, null, 2));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
