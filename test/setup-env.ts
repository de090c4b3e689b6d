// Handlers read their configuration once at module load; give every test the same, fake, values.
process.env.REGISTRY_TABLE_NAME ??= 'meshshift-registry';
process.env.STATE_MACHINE_ARN ??= 'arn:aws:states:us-west-2:111122223333:stateMachine:meshshift-rollout';
process.env.MESH_NAME ??= 'colorapp';
process.env.MESH_OWNER ??= '111122223333';
process.env.CLUSTER_NAME ??= 'default';
process.env.POLICY_PARAMETER_PREFIX ??= '/meshshift/';
process.env.AWS_REGION ??= 'us-west-2';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
