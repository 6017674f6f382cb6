// Ajv's verdicts on the corpus: reads {"schemas": {key: document}, "cases": [{key, text}]} on stdin,
// writes one verdict (true/false) per case. A key is "<dialect>/<Model>.<mode>".
// 2020-12 and OpenAPI 3.1 documents are read by Ajv2020; OpenAPI 3.0 components by Ajv's draft-07
// class, whose `nullable` keyword is OpenAPI 3.0's.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";

const input = JSON.parse(readFileSync(0, "utf8"));
const options = { allErrors: false, strict: true, strictTypes: false, allowUnionTypes: true };
const compiled = new Map();

function validator(key) {
  if (compiled.has(key)) return compiled.get(key);
  const document = input.schemas[key];
  const [dialect, file] = key.split("/");
  const model = file.split(".")[0];
  let validate;
  if (dialect === "2020-12") {
    validate = new Ajv2020(options).compile(document);
  } else {
    const ajv = dialect === "openapi-3.1" ? new Ajv2020(options) : new Ajv(options);
    ajv.addKeyword("components");
    ajv.addSchema({ $id: "doc", components: document.components }, "doc", undefined, false);
    validate = ajv.compile({ $ref: `doc#/components/schemas/${model}` });
  }
  compiled.set(key, validate);
  return validate;
}

const verdicts = input.cases.map(({ key, text }) => {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    return null; // not JSON to JavaScript (never expected: the corpus is JSON text)
  }
  return validator(key)(data);
});
process.stdout.write(JSON.stringify(verdicts));
