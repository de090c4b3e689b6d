// Loads a CloudFormation / SAM YAML template into plain JSON-like objects.
//
// CloudFormation's short forms (`!Ref X`, `!Sub ...`, `!GetAtt A.B`, `!If [...]`) are YAML
// tags that a plain YAML parser does not know; here each becomes the long form that
// CloudFormation itself would see (`{ Ref: 'X' }`, `{ 'Fn::Sub': ... }`,
// `{ 'Fn::GetAtt': ['A', 'B'] }`), so the build script and the tests read the same
// structure CloudFormation does. Unknown tags and YAML errors throw: a typo such as
// `!GetAttr` must fail loudly here, not deploy as a literal string.
import { readFileSync } from 'node:fs';
import YAML from 'yaml';

/** Short-form tags CloudFormation accepts (the `Fn::` prefix is added except for Ref / Condition). */
const INTRINSICS = [
  'Ref',
  'Condition',
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
];

const longName = (name) => (name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`);

/** `!GetAtt Resource.Attr.Sub` means `['Resource', 'Attr.Sub']`: only the first dot splits. */
function getAttFromScalar(value) {
  const dot = value.indexOf('.');
  if (dot <= 0) throw new Error(`!GetAtt needs "Resource.Attribute", got "${value}"`);
  return [value.slice(0, dot), value.slice(dot + 1)];
}

/** yaml custom tags: one per intrinsic and node kind (scalar, sequence, mapping). */
export const cloudFormationTags = INTRINSICS.flatMap((name) => {
  const key = longName(name);
  const tag = `!${name}`;
  return [
    {
      tag,
      resolve: (value) => ({ [key]: name === 'GetAtt' ? getAttFromScalar(String(value)) : value }),
    },
    { tag, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
    { tag, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
  ];
});

/**
 * Parses CloudFormation YAML text.
 * @param {string} text
 * @param {string} [source] name used in error messages
 * @returns {Record<string, any>}
 */
export function parseTemplate(text, source = 'template') {
  const doc = YAML.parseDocument(text, { customTags: cloudFormationTags, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new Error(`${source}: ${problems.map((p) => p.message).join('\n')}`);
  }
  const template = doc.toJS({ maxAliasCount: 1000 });
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    throw new Error(`${source}: not a mapping at the top level`);
  }
  return template;
}

/**
 * Reads and parses a CloudFormation / SAM YAML template file.
 * @param {string} path
 * @returns {Record<string, any>}
 */
export function loadTemplate(path) {
  return parseTemplate(readFileSync(path, 'utf8'), path);
}
