import { datapoint, evaluateAlarm, watchedNode } from '../../local/alarm-evaluator';

describe('evaluateAlarm', () => {
  it('is ALARM when every datapoint of the evaluation window breaches', () => {
    // Assess
    expect(evaluateAlarm({ Threshold: 0.05, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold' }, [0.01, 0.2, 0.3])).toBe('ALARM');
    expect(evaluateAlarm({ Threshold: 0.05, EvaluationPeriods: 2, ComparisonOperator: 'GreaterThanThreshold' }, [0.2, 0.01, 0.3])).toBe('OK');
  });

  it('honours DatapointsToAlarm (M out of N)', () => {
    // Assess
    expect(evaluateAlarm({ Threshold: 0.05, EvaluationPeriods: 3, DatapointsToAlarm: 2 }, [0.2, 0.01, 0.3])).toBe('ALARM');
    expect(evaluateAlarm({ Threshold: 0.05, EvaluationPeriods: 3, DatapointsToAlarm: 2 }, [0.2, 0.01, 0.01])).toBe('OK');
  });

  it('is INSUFFICIENT_DATA when the window has no datapoint, as for a node without traffic', () => {
    // Assess
    expect(evaluateAlarm({ Threshold: 0.05 }, [undefined])).toBe('INSUFFICIENT_DATA');
    expect(datapoint('http_5xx_rate', { requests: 0, errors: 0 })).toBeUndefined();
  });

  it.each([
    ['GreaterThanOrEqualToThreshold', 0.05, 'ALARM'],
    ['LessThanThreshold', 0.04, 'ALARM'],
    ['LessThanOrEqualToThreshold', 0.06, 'OK'],
  ])('compares with %s', (operator, value, expected) => {
    // Assess
    expect(evaluateAlarm({ Threshold: 0.05, ComparisonOperator: operator }, [value])).toBe(expected);
  });

  it('reads the rate or the count metric and the watched node', () => {
    // Assess
    expect(datapoint('http_5xx_rate', { requests: 200, errors: 10 })).toBe(0.05);
    expect(datapoint('http_5xx', { requests: 200, errors: 10 })).toBe(10);
    expect(watchedNode({ Dimensions: [{ Name: 'VirtualNode', Value: 'v2' }] })).toBe('v2');
  });
});
