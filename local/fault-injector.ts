import type { VirtualClock } from './virtual-clock';

/** What can go wrong at one AWS call site. */
export type CallFault =
  /** Three calls in a row throttled, as in a short burst. */
  | 'throttled briefly'
  /** Every call throttled for 15 minutes: a long throttling storm. */
  | 'throttled for 15 minutes'
  /** Two calls in a row answered with a 5xx. */
  | 'server error'
  /** One call refused with a conflict (ConflictException: App Mesh's calls, Lattice's writes). */
  | 'conflict'
  /** One call that never reached AWS: the connection timed out. */
  | 'timed out before landing'
  /** One call that took effect, after which the function crashed. */
  | 'crashed after landing';

export const callFaults: CallFault[] = ['throttled briefly', 'throttled for 15 minutes', 'server error', 'conflict', 'timed out before landing', 'crashed after landing'];

/** Where a call is made: the function calling (or the harness) and the service's operation. */
export interface CallSite {
  caller: string;
  service: string;
  operation: string;
}

/** App Mesh answers any call with ConflictException; VPC Lattice's model lists it for writes only (Update*, BatchUpdateRule). */
export function mayConflict(site: CallSite): boolean {
  return site.service === 'appmesh' || (site.service === 'vpc-lattice' && /^(Batch)?Update/.test(site.operation));
}

export const siteName = (site: CallSite) => `${site.caller} → ${site.service} ${site.operation}`;

interface Armed {
  site: CallSite;
  fault: CallFault;
  remaining: number;
  until?: number;
}

/** How each service names throttling and server errors, as its SDK surfaces them. */
const throttling: Record<string, { name: string; status: number }> = {
  appmesh: { name: 'TooManyRequestsException', status: 429 },
  'vpc-lattice': { name: 'ThrottlingException', status: 429 },
  ecs: { name: 'ThrottlingException', status: 400 },
  cloudwatch: { name: 'Throttling', status: 400 },
  ssm: { name: 'ThrottlingException', status: 400 },
  dynamodb: { name: 'ProvisionedThroughputExceededException', status: 400 },
  sfn: { name: 'ThrottlingException', status: 400 },
};

function awsError(name: string, status: number | undefined, message: string): Error {
  const error = Object.assign(new Error(message), { name });
  if (status !== undefined) Object.assign(error, { $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client' });
  return error;
}

const fifteenMinutes = 15 * 60 * 1000;

/**
 * Faults armed at call sites of the local stack. The simulated services, the registry and the
 * local Step Functions ask it before a call takes effect (`before`) and after (`after`); it
 * throws what AWS, the network or a crashing function would. It also remembers when the last
 * fault fired, so a harness can tell how long convergence took after the fault cleared.
 */
export class FaultInjector {
  private readonly armed: Armed[] = [];
  /** Simulated ms of the last time any armed fault fired. */
  lastFiredAt: number | undefined;

  /**
   * When every armed fault will have cleared, as far as is known now: a storm that began ends
   * 15 minutes after its first refusal; one that has not begun may still begin.
   */
  clearsAt(): number {
    const now = this.clock.now();
    return Math.max(
      this.lastFiredAt ?? now,
      ...this.armed.filter((armed) => armed.fault === 'throttled for 15 minutes').map((armed) => armed.until ?? now + fifteenMinutes),
    );
  }

  constructor(private readonly clock: VirtualClock) {}

  arm(site: CallSite, fault: CallFault): void {
    const remaining = fault === 'throttled briefly' ? 3 : fault === 'server error' ? 2 : fault === 'throttled for 15 minutes' ? Number.POSITIVE_INFINITY : 1;
    this.armed.push({ site, fault, remaining });
  }

  /** Throws the fault due before a call at this site takes effect, if any. */
  before(site: CallSite): void {
    const armed = this.due(site, (fault) => fault !== 'crashed after landing');
    if (!armed) return;
    const description = `${armed.fault} (injected at ${siteName(site)})`;
    switch (armed.fault) {
      case 'throttled briefly':
      case 'throttled for 15 minutes': {
        const { name, status } = throttling[site.service] ?? { name: 'ThrottlingException', status: 400 };
        throw awsError(name, status, `Rate exceeded: ${description}`);
      }
      case 'server error':
        throw awsError('InternalServerError', 500, `Internal error: ${description}`);
      case 'conflict':
        throw awsError('ConflictException', 409, `Conflict: ${description}`);
      case 'timed out before landing':
        throw Object.assign(new Error(`connect ETIMEDOUT: ${description}`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
      default:
        return;
    }
  }

  /** Throws the function's crash after a call at this site took effect, if one is due. */
  after(site: CallSite): void {
    if (this.due(site, (fault) => fault === 'crashed after landing')) {
      throw Object.assign(new Error(`The function crashed after ${siteName(site)} landed`), { name: 'Lambda.Unknown' });
    }
  }

  private due(site: CallSite, kind: (fault: CallFault) => boolean): Armed | undefined {
    const now = this.clock.now();
    const armed = this.armed.find(
      (candidate) =>
        kind(candidate.fault) &&
        candidate.remaining > 0 &&
        candidate.site.caller === site.caller &&
        candidate.site.service === site.service &&
        candidate.site.operation === site.operation &&
        (candidate.until === undefined || now < candidate.until),
    );
    if (!armed) return undefined;
    if (armed.fault === 'throttled for 15 minutes') armed.until ??= now + fifteenMinutes;
    else armed.remaining -= 1;
    this.lastFiredAt = now;
    return armed;
  }
}
