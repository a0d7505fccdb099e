/**
 * Helpers of the batch job HTTP tests (spec §7): a real client for the upload URL (undici's
 * FormData for the multipart form, a raw PUT), polling, and NDJSON inputs.
 */
import { expect } from 'vitest';
import type { ApiCall, ApiResponse } from './http-server.js';

export interface Created {
  job_id: string;
  status: 'pending';
  upload_url: string;
  upload_fields: { key: string; token: string };
  input_key: string;
  expires_at: string;
}

/** NDJSON of `texts`, one `{id, text}` per line. */
export function ndjson(texts: string[]): string {
  return texts.map((text, i) => JSON.stringify({ id: `t${i}`, text })).join('\n') + '\n';
}

/** `POST /v1/batch` that must succeed. */
export async function createJob(api: ApiCall, key: string, body: object = { labels: ['billing', 'shipping'] }): Promise<Created> {
  const res = await api('POST', '/batch', { key, body });
  expect(res.status, res.text).toBe(201);
  return res.body as Created;
}

async function answer(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body, text, requestId: res.headers.get('x-request-id') };
}

export interface FormOptions {
  /** Form fields to send instead of `upload_fields`. */
  fields?: Record<string, string>;
  /** Put the fields after the file (which the server refuses to wait for). */
  fieldsAfter?: boolean;
  /** More file parts after the first. */
  extraFiles?: number;
  /** Leave out the file part. */
  noFile?: boolean;
}

/** The multipart form POST of spec §7: every `upload_fields` entry, then the file as `file`. */
export async function uploadForm(job: Created, content: string | Uint8Array, options: FormOptions = {}): Promise<ApiResponse> {
  const form = new FormData();
  const fields = Object.entries(options.fields ?? job.upload_fields);
  const addFields = () => fields.forEach(([k, v]) => form.append(k, v));
  if (!options.fieldsAfter) addFields();
  if (!options.noFile) form.append('file', new Blob([content], { type: 'application/x-ndjson' }), 'input.ndjson');
  for (let i = 0; i < (options.extraFiles ?? 0); i++) form.append('file', new Blob(['{"text":"extra"}\n']), 'extra.ndjson');
  if (options.fieldsAfter) addFields();
  return answer(await fetch(job.upload_url, { method: 'POST', body: form }));
}

export interface PutOptions {
  /** Where the token goes. @default 'query' */
  via?: 'query' | 'bearer';
  token?: string;
  contentType?: string;
}

/** The raw `PUT` of `application/x-ndjson` (ext); a stream body is sent chunked. */
export async function uploadPut(job: Created, content: string | Uint8Array | ReadableStream<Uint8Array>, options: PutOptions = {}): Promise<ApiResponse> {
  const token = options.token ?? job.upload_fields.token;
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/x-ndjson' };
  let url = job.upload_url;
  if ((options.via ?? 'query') === 'query') url += `?token=${encodeURIComponent(token)}`;
  else headers.authorization = `Bearer ${token}`;
  const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers, body: content as RequestInit['body'] };
  if (content instanceof ReadableStream) init.duplex = 'half';
  return answer(await fetch(url, init));
}

/** Polls `GET /v1/batch/{id}` until the job is no longer pending or processing. */
export async function pollDone(api: ApiCall, key: string, id: string, timeoutMs = 60_000): Promise<ApiResponse> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api('GET', `/batch/${id}`, { key });
    expect(res.status, res.text).toBe(200);
    if (res.body.status !== 'processing' && res.body.status !== 'pending') return res;
    if (Date.now() > until) throw new Error(`job ${id} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `GET …/results` then its `download_url`: the parsed result lines. */
export async function downloadResults(api: ApiCall, key: string, id: string): Promise<{ lines: any[]; response: Response; results: ApiResponse }> {
  const results = await api('GET', `/batch/${id}/results`, { key });
  expect(results.status, results.text).toBe(200);
  const response = await fetch(results.body.download_url);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { lines, response, results };
}
