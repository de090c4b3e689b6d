import { yamlParse } from 'yaml-cfn';

// The tests and scripts/build-bundles.mjs read template.yaml with yaml-cfn; these pin what they
// rely on. A `!GetAtt` without an attribute parses to `{ 'Fn::GetAtt': null }` here: cfn-lint
// (CI) rejects it (E6101), and the test resolver throws on it.
describe('yaml-cfn, the template loader', () => {
  it('turns CloudFormation short forms into the long forms', () => {
    // Prepare
    const text = [
      'A: !Ref Param',
      'B: !Sub arn:${AWS::Partition}:x',
      'C: !Sub',
      '  - ${X}-y',
      '  - X: !If [Cond, !Ref P, !Ref AWS::NoValue]',
      'D: !GetAtt Table.StreamArn',
      'E: !GetAtt Resource.Nested.Attr',
      'F: !Not [!Equals [!Ref P, ""]]',
      'G: !Join [",", [a, b]]',
      'H: !Base64 { "Fn::Sub": "x" }',
      'I: !Condition HasOwner',
    ].join('\n');

    // Act
    const parsed = yamlParse(text);

    // Assess
    expect(parsed).toEqual({
      A: { Ref: 'Param' },
      B: { 'Fn::Sub': 'arn:${AWS::Partition}:x' },
      C: { 'Fn::Sub': ['${X}-y', { X: { 'Fn::If': ['Cond', { Ref: 'P' }, { Ref: 'AWS::NoValue' }] } }] },
      D: { 'Fn::GetAtt': ['Table', 'StreamArn'] },
      E: { 'Fn::GetAtt': ['Resource', 'Nested.Attr'] },
      F: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'P' }, ''] }] },
      G: { 'Fn::Join': [',', ['a', 'b']] },
      H: { 'Fn::Base64': { 'Fn::Sub': 'x' } },
      I: { Condition: 'HasOwner' },
    });
  });

  it('throws on an unknown tag instead of keeping it as text', () => {
    // Prepare
    const text = 'A: !GetAttr Table.Arn';

    // Act
    const act = () => yamlParse(text);

    // Assess
    expect(act).toThrow(/unknown tag !<!GetAttr>/);
  });

  it('throws on invalid YAML', () => {
    // Prepare
    const text = 'A: [unclosed';

    // Act
    const act = () => yamlParse(text);

    // Assess
    expect(act).toThrow();
  });
});
