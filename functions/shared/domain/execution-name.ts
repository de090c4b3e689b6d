const maxLength = 80;

function sanitize(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

/**
 * A short, stable digest so that names cut to 80 characters stay distinct.
 * FNV-1a: no crypto import, deterministic, and plenty for naming.
 */
function digest(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

function fit(name: string, unique: string): string {
  const clean = sanitize(name);
  if (clean.length <= maxLength) return clean;
  const suffix = `-${digest(unique)}`;
  return clean.slice(0, maxLength - suffix.length) + suffix;
}

/**
 * The Step Functions execution name for an ECS deployment. It is a pure function of the
 * deployment, so a duplicate event maps to the same name and StartExecution starts nothing new.
 * @example executionNameForDeployment('default', 'colorteller', 'ecs-svc/0123456789012345678')
 * // 'default-colorteller-0123456789012345678'
 */
export function executionNameForDeployment(cluster: string, service: string, deploymentId: string): string {
  const id = deploymentId.replace(/^ecs-svc\//, '');
  return fit(`${cluster}-${service}-${id}`, `${cluster}/${service}/${deploymentId}`);
}

/**
 * The execution name of a manual rollout, from a caller-chosen request id.
 * @example executionNameForManualRollout('colorteller', '2026-11-22T10-00-00') // 'manual-colorteller-2026-11-22T10-00-00'
 */
export function executionNameForManualRollout(service: string, requestId: string): string {
  return fit(`manual-${service}-${requestId}`, `${service}/${requestId}`);
}
