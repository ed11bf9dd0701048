// A client for calls between services: a per-attempt timeout, retries with exponential backoff and
// jitter for idempotent methods only, and a circuit breaker shared by all calls to one upstream (cockatiel),
// with request-id propagation and metrics. When the upstream cannot answer it throws UpstreamUnavailable,
// which the error handler turns into 503 + Retry-After.
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { Metrics, UpstreamOutcome } from '../metrics';
import { ProblemError, type KnowsItsProblem } from '../errors';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export class UpstreamUnavailable extends Error implements KnowsItsProblem {
  constructor(
    readonly upstream: string,
    readonly outcome: Exclude<UpstreamOutcome, 'ok' | 'client_error'>,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UpstreamUnavailable';
  }

  /** What the caller of the service sees: 503, nothing changed, try again. */
  toProblem(): ProblemError {
    return new ProblemError({
      status: 503,
      code: 'upstream-unavailable',
      detail: `The ${this.upstream} service is unavailable, so nothing was changed. Try again shortly.`,
      retryAfter: 5,
    });
  }
}

/** A 4xx from the upstream: our request was wrong or the thing is absent. Never retried. */
export class UpstreamClientError extends Error {
  constructor(
    readonly upstream: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${upstream} answered ${status}`);
    this.name = 'UpstreamClientError';
  }
}

class TransientFailure extends Error {
  constructor(
    readonly outcome: 'server_error' | 'network_error' | 'timeout',
    message: string,
    options?: ErrorOptions & { throttled?: boolean },
  ) {
    super(message, options);
    this.throttled = options?.throttled ?? false;
  }

  /** A 429: the upstream is well and asks us to slow down; worth a retry, not a reason to open the circuit. */
  readonly throttled: boolean;
}

export interface UpstreamClientOptions {
  name: string;
  baseUrl: string;
  timeoutMs: number;
  /** Attempts after the first, for idempotent calls. */
  retries?: number;
  /** Consecutive failures that open the circuit, and how long it stays open before one trial call. */
  breakerThreshold?: number;
  breakerHalfOpenAfterMs?: number;
  metrics?: Metrics;
  logger?: Logger;
  /** This service's own identity: every call carries its access token. */
  credentials?: ServiceCredentials;
}

/** Where a service's access tokens come from (see auth/client-credentials.ts). */
export interface ServiceCredentials {
  token(): Promise<string>;
  /** Forget the current token: the upstream refused it (expired early, or the issuer rotated its keys). */
  invalidate(): void;
}

export interface CallOptions {
  requestId?: string;
  headers?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
  /** A POST that is safe to repeat (it changes nothing the second time) may be retried too. */
  idempotent?: boolean;
}

export interface UpstreamClient {
  readonly name: string;
  request<T>(method: string, path: string, opts?: CallOptions): Promise<T>;
  get<T>(path: string, opts?: CallOptions): Promise<T>;
  circuitState(): 'closed' | 'open' | 'half-open';
}

const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.Open]: 1,
  [CircuitState.HalfOpen]: 2,
  [CircuitState.Isolated]: 1,
};

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const { name, metrics } = opts;
  const { breaker, idempotentPolicy, oncePolicy } = policies(opts);
  const send = sender(opts);

  /** One fresh token when the upstream refuses ours: it may have expired in flight or its key rotated. */
  async function authorised<T>(policy: Policy, method: string, path: string, call: CallOptions) {
    const run = () => policy.execute(({ signal }) => send<T>(method, path, call, signal));
    try {
      return await run();
    } catch (err) {
      if (!(opts.credentials && err instanceof UpstreamClientError && err.status === 401)) throw err;
      opts.credentials.invalidate();
      return run();
    }
  }

  async function request<T>(method: string, path: string, call: CallOptions = {}): Promise<T> {
    const started = performance.now();
    const policy = call.idempotent || IDEMPOTENT.has(method.toUpperCase()) ? idempotentPolicy : oncePolicy;
    let outcome: UpstreamOutcome = 'ok';
    try {
      return await authorised<T>(policy, method, path, call);
    } catch (err) {
      const failure = failureOf(err, opts);
      outcome = failure.outcome;
      throw failure.error;
    } finally {
      metrics?.upstreamDuration.observe({ upstream: name, outcome }, (performance.now() - started) / 1000);
    }
  }

  return {
    name,
    request,
    get: (path, call) => request('GET', path, call),
    circuitState: () =>
      breaker.state === CircuitState.Closed
        ? 'closed'
        : breaker.state === CircuitState.HalfOpen
          ? 'half-open'
          : 'open',
  };
}

type Policy = Pick<IPolicy, 'execute'>;

/** Timeout per attempt, a circuit breaker (its state a metric), and retries for idempotent calls. */
function policies(opts: UpstreamClientOptions) {
  const { name, metrics, logger } = opts;
  const isTransient = handleWhen(
    (err) => err instanceof TransientFailure || err instanceof TaskCancelledError,
  );
  const isOutage = handleWhen(
    (err) => (err instanceof TransientFailure && !err.throttled) || err instanceof TaskCancelledError,
  );
  const breaker = circuitBreaker(isOutage, {
    halfOpenAfter: opts.breakerHalfOpenAfterMs ?? 10_000,
    breaker: new ConsecutiveBreaker(opts.breakerThreshold ?? 5),
  });
  metrics?.upstreamCircuit.set({ upstream: name }, 0);
  breaker.onStateChange((state) => {
    metrics?.upstreamCircuit.set({ upstream: name }, STATE_VALUE[state]);
    logger?.warn({ upstream: name, state: CircuitState[state] }, 'circuit breaker state changed');
  });
  const perAttempt = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
  const retrying = retry(isTransient, {
    maxAttempts: opts.retries ?? 2,
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }), // decorrelated jitter
  });
  // Outermost first: retry around the breaker, so an open circuit fails fast without further attempts.
  return {
    breaker,
    idempotentPolicy: wrap(retrying, breaker, perAttempt),
    oncePolicy: wrap(breaker, perAttempt),
  };
}

/**
 * One attempt: the request with our identity and the request id; 5xx, 429 and no answer are transient
 * (retried), but only 5xx and no answer count towards opening the circuit.
 */
function sender({ name, baseUrl, credentials }: UpstreamClientOptions) {
  const base = baseUrl.replace(/\/+$/, '');
  return async function send<T>(
    method: string,
    path: string,
    call: CallOptions,
    signal: AbortSignal,
  ): Promise<T> {
    let res: Response;
    const authorization = await bearerHeader(name, credentials);
    try {
      res = await fetch(`${base}${path}`, {
        method,
        signal: call.signal ? AbortSignal.any([signal, call.signal]) : signal,
        headers: {
          accept: 'application/json',
          ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(call.requestId ? { 'x-request-id': call.requestId } : {}),
          ...authorization,
          ...call.headers,
        },
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      });
    } catch (err) {
      if (signal.aborted) throw err; // the timeout policy reports it
      throw new TransientFailure('network_error', `${name} unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    const body: unknown = text ? safeJson(text) : undefined;
    if (res.status >= 500 || res.status === 429) {
      throw new TransientFailure('server_error', `${name} answered ${res.status}`, {
        throttled: res.status === 429,
      });
    }
    if (res.status >= 400) throw new UpstreamClientError(name, res.status, body);
    return body as T;
  };
}

async function bearerHeader(
  name: string,
  credentials: ServiceCredentials | undefined,
): Promise<Record<string, string>> {
  if (!credentials) return {};
  try {
    return { authorization: `Bearer ${await credentials.token()}` };
  } catch (err) {
    throw new TransientFailure('network_error', `no access token for ${name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** What a failed call counts as, and what its caller gets: the upstream's 4xx as is, else UpstreamUnavailable. */
function failureOf(
  err: unknown,
  { name, logger }: UpstreamClientOptions,
): { outcome: UpstreamOutcome; error: unknown } {
  if (err instanceof UpstreamClientError && (err.status === 401 || err.status === 403)) {
    // Our own identity was refused: no caller's mistake, and nothing a retry by them would fix.
    logger?.error({ upstream: name, status: err.status, body: err.body }, 'upstream refused our identity');
    const message = `${name} refused this service's identity`;
    return {
      outcome: 'unauthorized',
      error: new UpstreamUnavailable(name, 'unauthorized', message, { cause: err }),
    };
  }
  if (err instanceof UpstreamClientError) return { outcome: 'client_error', error: err };
  const outcome =
    err instanceof BrokenCircuitError
      ? 'circuit_open'
      : err instanceof TaskCancelledError
        ? 'timeout'
        : err instanceof TransientFailure
          ? err.outcome
          : 'network_error';
  const message = `${name} is unavailable (${outcome})`;
  return { outcome, error: new UpstreamUnavailable(name, outcome, message, { cause: err }) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
