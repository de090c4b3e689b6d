import { parseTemplate } from './cfn';

describe('scripts/load-template.mjs', () => {
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
    const parsed = parseTemplate(text);

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
    const act = () => parseTemplate(text, 'typo.yaml');

    // Assess
    expect(act).toThrow(/typo\.yaml/);
  });

  it('throws on invalid YAML', () => {
    // Prepare
    const text = 'A: [unclosed';

    // Act
    const act = () => parseTemplate(text);

    // Assess
    expect(act).toThrow();
  });
});
