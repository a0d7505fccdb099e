/**
 * Streams a file to a batch job's upload URL over loopback (Q9 upload over HTTP): a raw `PUT` of
 * `application/x-ndjson`, or the multipart form POST (`upload_fields` first, then `file`).
 * The body is streamed from disk with its Content-Length, so neither side holds the file.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type UploadWay = 'put' | 'form';

/** Uploads `path`; resolves with the response's status and parsed JSON body. */
export async function httpUpload(url: string, fields: Record<string, string>, path: string, way: UploadWay): Promise<{ status: number; body: Record<string, unknown> }> {
  const size = (await stat(path)).size;
  let headers: Record<string, string | number>;
  let body: Readable;
  let target = url;
  if (way === 'put') {
    target = `${url}?token=${encodeURIComponent(fields.token)}`;
    headers = { 'content-type': 'application/x-ndjson', 'content-length': size };
    body = createReadStream(path);
  } else {
    const boundary = `----labelwise-bench-${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="input.ndjson"\r\nContent-Type: application/x-ndjson\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    headers = { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length };
    body = Readable.from(
      (async function* () {
        yield head;
        yield* createReadStream(path);
        yield tail;
      })(),
    );
  }
  return new Promise((resolve, reject) => {
    const req = request(target, { method: way === 'put' ? 'PUT' : 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown> });
        } catch (err) {
          reject(err);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    pipeline(body, req).catch(reject);
  });
}
