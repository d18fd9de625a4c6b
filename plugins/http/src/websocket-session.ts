import { randomUUID } from 'node:crypto';
import { CancelledError, type StreamOptions } from '@entity/core';
import { WebSocket } from 'ws';
import type { Principal } from './api-keys.js';
import { resolveUserId } from './authorization.js';
import type { HandlerState } from './handler-environment.js';
import { isHttpApiError } from './http-errors.js';
import { publicEvent } from './public-run-info.js';
import { safeRunError } from './run-errors.js';
import type { ResolvedWebSocketOptions } from './websocket-options.js';
import { InvalidClientMessage, type WebSocketChatRequest, type WebSocketClientMessage, type WebSocketServerMessage } from './websocket-protocol.js';

/** What every connection of one endpoint shares. */
export interface SessionContext {
  readonly state: HandlerState;
  readonly options: ResolvedWebSocketOptions;
  readonly readMessage: (data: string, isBinary: boolean) => WebSocketClientMessage;
  /** Told when a run starts (+1) or ends (-1), so shutdown can wait for the last one. */
  runsChanged(delta: 1 | -1): void;
}

/** One open connection: its runs, its heartbeat state and its bounded output. */
export class WebSocketSession {
  private readonly runs = new Map<string, AbortController>();
  private answeredPing = true;

  constructor(
    private readonly socket: WebSocket,
    private readonly principal: Principal,
    private readonly context: SessionContext,
    private readonly credentialStillValid: () => boolean = () => true,
    private readonly handshakeRequestId: string = randomUUID(),
  ) {
    socket.on('message', (data, isBinary) => {
      try {
        this.receive(data as Buffer, isBinary);
      } catch (error) {
        // A bug here must cost this message, not the process (ws calls listeners synchronously).
        context.state.logger.error(`WebSocket message handling failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
        this.send({ type: 'error', id: null, code: 'internal_error', message: 'Something went wrong on the server' });
      }
    });
    socket.on('pong', () => {
      this.answeredPing = true;
    });
    socket.on('close', () => this.cancelAll('the WebSocket client disconnected'));
    // Protocol violations (bad frames, too large a message) close the connection; ws reports them here.
    socket.on('error', (error) => context.state.logger.debug(`WebSocket connection error: ${error.message}`, { component: 'http', key: principal.name }));
  }

  /** Called every `pingIntervalMs`: cuts a peer that did not answer the last ping, else pings it. */
  heartbeat(): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (!this.checkCredential()) return;
    if (!this.answeredPing) {
      this.context.state.logger.info('cutting a WebSocket peer that did not answer a ping', { component: 'http', key: this.principal.name });
      this.socket.terminate();
      this.cancelAll('the WebSocket client stopped answering pings');
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
  }

  /** Closes the connection as the server goes away (1001), once its runs have ended. */
  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(code, reason);
  }

  /** Cuts the connection at once, without a closing handshake. */
  terminate(): void {
    this.socket.terminate();
  }

  /**
   * The handshake's credential is checked again on every message and ping tick: a key revoked
   * from the key file or an expired JWT must not keep a connection that outlives it. On failure
   * the connection closes with 1008 (policy violation) and its runs are cancelled.
   */
  private checkCredential(): boolean {
    if (this.credentialStillValid()) return true;
    this.context.state.logger.info('closing a WebSocket whose credential was revoked or expired', { component: 'http', key: this.principal.name });
    this.cancelAll('the credential was revoked or expired');
    this.socket.close(1008, 'credential revoked or expired');
    return false;
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!this.checkCredential()) return;
    let request: WebSocketClientMessage | undefined;
    let invalid: InvalidClientMessage | undefined;
    try {
      request = this.context.readMessage(isBinary ? '' : data.toString('utf8'), isBinary);
    } catch (error) {
      if (!(error instanceof InvalidClientMessage)) throw error;
      invalid = error;
    }
    // Every message counts like one HTTP request against the key's rate limit, garbage included.
    const limited = this.context.state.perKeyLimiter?.take(this.principal.bucketId);
    const id = request?.id ?? invalid?.id ?? null;
    if (limited && !limited.allowed) {
      const retryAfterSeconds = limited.retryAfterSeconds;
      this.send({ type: 'error', id, code: 'rate_limited', message: `Too many requests from this API key; retry in ${retryAfterSeconds} s`, retryAfterSeconds });
      return;
    }
    if (invalid) {
      this.send({ type: 'error', id, code: invalid.code, message: invalid.message });
      return;
    }
    if (request!.type === 'cancel') this.cancel(request!.id);
    else this.startChat(request as WebSocketChatRequest);
  }

  private cancel(id: string): void {
    const run = this.runs.get(id);
    if (!run) {
      this.send({ type: 'error', id, code: 'unknown_run', message: `No run with id "${id}" is in progress on this connection (it may have ended already)` });
      return;
    }
    abortRun(run, 'the WebSocket client cancelled it');
  }

  private startChat(request: WebSocketChatRequest): void {
    const admitted = this.admit(request);
    if (typeof admitted === 'string') void this.run(request, admitted);
    else this.send({ type: 'error', id: request.id, ...admitted });
  }

  /** The user the run acts for, or why it may not start. */
  private admit(request: WebSocketChatRequest): string | { code: string; message: string } {
    if (this.context.state.draining) return { code: 'server_draining', message: 'The server is shutting down; reconnect and retry on another instance' };
    if (this.runs.has(request.id)) return { code: 'duplicate_id', message: `A run with id "${request.id}" is still in progress on this connection; give each run its own id` };
    const limit = this.context.options.maxRunsPerConnection;
    if (this.runs.size >= limit) {
      return { code: 'too_many_runs', message: `This connection already has ${limit} runs in progress, the most allowed; wait for one to end or cancel one` };
    }
    try {
      return resolveUserId(this.principal, request.userId);
    } catch (error) {
      if (isHttpApiError(error)) return { code: error.code, message: error.message };
      throw error;
    }
  }

  private async run(request: WebSocketChatRequest, userId: string): Promise<void> {
    const { state } = this.context;
    const controller = new AbortController();
    const onShutdown = () => abortRun(controller, 'the server is shutting down');
    this.runs.set(request.id, controller);
    this.context.runsChanged(1);
    state.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    if (state.shutdown.signal.aborted) onShutdown();
    const options: StreamOptions = {
      userId,
      signal: controller.signal,
      // The handshake's id ties a connection's runs together; the message id tells them apart.
      correlationId: `${this.handshakeRequestId}/${request.id}`,
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
      ...(state.options.limits?.runTimeoutMs ? { timeoutMs: state.options.limits.runTimeoutMs } : {}),
      ...(request.output ? { output: request.output, ...(request.outputName ? { outputName: request.outputName } : {}) } : {}),
    };
    if (request.metadata) state.logger.debug('chat request metadata', { component: 'http', userId, metadata: request.metadata });
    let seq = 0;
    try {
      for await (const event of state.agent.stream(request.message, options)) {
        // A connection that closed or was dropped cancels the run; the loop then ends by the throw.
        if (!this.send({ type: 'event', id: request.id, seq: ++seq, event: publicEvent(event) })) abortRun(controller, 'the WebSocket connection closed');
      }
    } catch (error) {
      if (controller.signal.aborted) {
        const reason = controller.signal.reason as Error;
        this.send({ type: 'error', id: request.id, code: 'run_cancelled', message: reason.message });
      } else {
        state.logger.error(`WebSocket chat failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
        const safe = safeRunError(error);
        this.send({ type: 'error', id: request.id, code: 'run_failed', errorType: safe.errorType, message: safe.message });
      }
    } finally {
      state.shutdown.signal.removeEventListener('abort', onShutdown);
      this.runs.delete(request.id);
      this.context.runsChanged(-1);
    }
  }

  /**
   * Sends one message, unless the client stopped reading: past `maxBufferedBytes` of unsent
   * output it is dropped, so a stalled client costs at most that much (plus one message).
   */
  private send(message: WebSocketServerMessage): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    const buffered = this.socket.bufferedAmount;
    if (buffered > this.context.options.maxBufferedBytes) {
      this.context.state.logger.warn(`dropping a WebSocket client that does not read: ${buffered} bytes unsent, over maxBufferedBytes (${this.context.options.maxBufferedBytes})`, {
        component: 'http',
        key: this.principal.name,
      });
      this.socket.terminate();
      this.cancelAll('the WebSocket client stopped reading');
      return false;
    }
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private cancelAll(why: string): void {
    for (const run of this.runs.values()) abortRun(run, why);
  }
}

function abortRun(controller: AbortController, why: string): void {
  if (!controller.signal.aborted) controller.abort(new CancelledError(`The run was cancelled: ${why}`));
}
