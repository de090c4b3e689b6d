describe('recordMetric', () => {
  function loadWithMetrics(): typeof import('../../../functions/shared/lambda-handler') {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    let loaded: typeof import('../../../functions/shared/lambda-handler') | undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<typeof import('../../../functions/shared/lambda-handler')>('../../../functions/shared/lambda-handler');
    });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    return loaded as typeof import('../../../functions/shared/lambda-handler');
  }

  function emitted(write: jest.SpyInstance): Array<Record<string, unknown>> {
    return write.mock.calls
      .map(([chunk]) => String(chunk))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('publishes a rollout outcome as an EMF count in the meshshift namespace', () => {
    // Prepare
    const { recordMetric } = loadWithMetrics();
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    recordMetric('RolloutsRolledBack');
    const blobs = emitted(write);
    write.mockRestore();

    // Assess
    const [blob] = blobs;
    expect(blob).toMatchObject({ RolloutsRolledBack: 1, service: 'meshshift' });
    expect(JSON.stringify(blob?._aws)).toContain('"Namespace":"meshshift"');
  });

  it('publishes a duration in seconds, so the dashboard can graph its maximum and percentiles', () => {
    // Prepare
    const { recordDuration } = loadWithMetrics();
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    recordDuration('AlarmToSafeSeconds', 1.25);
    const blobs = emitted(write);
    write.mockRestore();

    // Assess
    const [blob] = blobs;
    expect(blob).toMatchObject({ AlarmToSafeSeconds: 1.25 });
    expect(JSON.stringify(blob?._aws)).toContain('{"Name":"AlarmToSafeSeconds","Unit":"Seconds"}');
  });

  it('publishes nothing for a count of zero, so quiet invocations log no empty-metrics warning', () => {
    // Prepare
    const { recordMetric } = loadWithMetrics();
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);

    // Act
    recordMetric('AlarmRollbacks', 0);
    const blobs = emitted(write);
    const warnings = warn.mock.calls.length;
    write.mockRestore();
    warn.mockRestore();

    // Assess
    expect(blobs).toEqual([]);
    expect(warnings).toBe(0);
  });
});
