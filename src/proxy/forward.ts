import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { GatewayError } from '../errors.js';
import { deviceResponseHeaders } from './headers.js';
import { upstreamFailure } from './upstream-errors.js';

export interface ForwardOptions {
  path: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer | Readable | null;
  /** Longest wait for the response headers, and longest silence inside the body. */
  timeoutMs: number;
  /** Rewrites response headers before they reach the device (e.g. X-MS-Location on 451). */
  rewriteHeaders?: (status: number, headers: IncomingHttpHeaders) => void;
  /** Called once when the upstream answered (status) or failed (error). */
  onUpstreamAnswer?: (status: number) => void;
  /** Called when the upstream failed before any byte reached the device. */
  onFailure: (err: GatewayError) => void;
}

/**
 * Streams one request to the upstream and its answer back to the device, written
 * against undici's dispatch handler API (no intermediate streams: each upstream chunk is
 * written to the device socket, with backpressure through pause/resume). A device that
 * disconnects aborts the upstream request.
 */
export class ForwardHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private started = false;
  private finished = false;
  private readonly onDeviceClose = (): void => {
    if (!this.finished && !this.res.writableFinished) this.abort(new Error('device disconnected'));
  };
  private readonly onDrain = (): void => this.controller?.resume();

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: ForwardOptions,
  ) {
    res.on('close', this.onDeviceClose);
  }

  /** True once response headers went to the device (a later failure can only cut the stream). */
  get responseStarted(): boolean {
    return this.started;
  }

  abort(reason: Error): void {
    if (this.finished) return;
    this.controller?.abort(reason);
  }

  /**
   * The gateway answers the device itself (e.g. a held Ping on shutdown): the upstream
   * request is cancelled and nothing it does afterwards reaches the device.
   */
  detach(reason: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.res.off('close', this.onDeviceClose);
    this.controller?.abort(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.res.destroyed) controller.abort(new Error('device disconnected'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    if (this.finished || status < 200) return; // 1xx: Node already told the device to continue.
    this.started = true;
    this.opts.onUpstreamAnswer?.(status);
    this.opts.rewriteHeaders?.(status, headers);
    if (this.res.destroyed) return;
    // statusMessage keeps "449 Retry after sending a PROVISION command" readable.
    this.res.writeHead(status, statusMessage || undefined, deviceResponseHeaders(headers));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished || this.res.destroyed) return;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.finished) return;
    this.finished = true;
    this.res.off('close', this.onDeviceClose);
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.res.off('close', this.onDeviceClose);
    if (this.res.destroyed) return;
    if (this.started) {
      // Headers are out: the only honest signal left is a cut connection.
      this.res.destroy(err);
      return;
    }
    this.opts.onFailure(upstreamFailure(err));
  }
}

/** Sends one request through `dispatcher`; returns the handler (to abort it or ask whether it started). */
export function forward(dispatcher: Dispatcher, res: ServerResponse, opts: ForwardOptions): ForwardHandler {
  const handler = new ForwardHandler(res, opts);
  dispatcher.dispatch(
    {
      path: opts.path,
      method: opts.method as Dispatcher.HttpMethod,
      headers: opts.headers,
      body: opts.body,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    },
    handler,
  );
  return handler;
}
