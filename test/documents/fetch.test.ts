/**
 * URL inputs against a real local HTTP server on 127.0.0.1: refused by default (loopback),
 * allowed by `allowHosts`, redirects re-checked, size and time limits, HTTP errors.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentReader } from '../../src/documents/index.js';
import { LabelwiseError } from '../../src/errors.js';
import { buildDocx, textImage } from '../support/documents-files.js';

const png = textImage(['hello'], 'png');
const docx = buildDocx(['Downloaded DOCX says hello']);
let origin = '';
let port = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const to = url.searchParams.get('to');
  switch (url.pathname) {
    case '/img.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
      return;
    case '/doc':
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(docx);
      return;
    case '/redirect':
      res.writeHead(302, { location: to ?? '/img.png' }).end();
      return;
    case '/loop':
      res.writeHead(301, { location: '/loop' }).end();
      return;
    case '/chain': {
      const n = Number(url.searchParams.get('n'));
      res.writeHead(307, { location: n > 1 ? `/chain?n=${n - 1}` : '/img.png' }).end();
      return;
    }
    case '/big-declared':
      res.writeHead(200, { 'content-length': 50_000 }).end(Buffer.alloc(50_000));
      return;
    case '/big-chunked': {
      res.writeHead(200, { 'content-type': 'image/png' }); // no content-length: chunked
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent > 1_000_000) {
          clearInterval(timer);
          res.end();
          return;
        }
        res.write(Buffer.alloc(10_000));
        sent += 10_000;
      }, 1);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/slow': {
      const timer = setTimeout(() => res.writeHead(200).end(png), 5_000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    default:
      res.writeHead(404).end('not found');
  }
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const allowed = new DocumentReader({ ocr: false, allowHosts: ['127.0.0.1'], fetchTimeoutMs: 3_000 });
const strict = new DocumentReader({ ocr: false });
afterAll(() => Promise.all([allowed.close(), strict.close()]));

async function expectError(promise: Promise<unknown>, code: string, field: string, message: RegExp) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabelwiseError);
  expect(err).toMatchObject({ code, status: 422, details: { field } });
  expect((err as Error).message).toMatch(message);
}

describe('URL inputs', () => {
  it('refuses loopback and private hosts by default, without connecting', async () => {
    await expectError(strict.read({ image: [`${origin}/img.png`] }), 'VALIDATION_ERROR', 'image.0', /loopback address;/);
    await expectError(strict.read({ file: `http://localhost:${port}/doc` }), 'VALIDATION_ERROR', 'file', /"localhost" resolves to a loopback address/);
    await expectError(strict.read({ image: ['http://[::1]/x.png'] }), 'VALIDATION_ERROR', 'image.0', /loopback/);
    await expectError(strict.read({ image: ['http://169.254.169.254/latest/meta-data'] }), 'VALIDATION_ERROR', 'image.0', /link-local/);
    await expectError(strict.read({ image: ['https://10.0.0.7/a.png'] }), 'VALIDATION_ERROR', 'image.0', /private/);
    await expectError(strict.read({ image: ['http://[::ffff:127.0.0.1]/a.png'] }), 'VALIDATION_ERROR', 'image.0', /loopback/);
    await expectError(strict.read({ image: ['http://0x7f000001/a.png'] }), 'VALIDATION_ERROR', 'image.0', /loopback/); // URL parser → 127.0.0.1
    // The refused address is not echoed (it would map internal DNS names for the caller).
    await expect(strict.read({ file: `http://localhost:${port}/doc` })).rejects.not.toThrow(/127\.0\.0\.1|::1/);
  });

  it('downloads from an allow-listed host; the hash is over the content, same as base64', async () => {
    const viaUrl = await allowed.read({ image: [`${origin}/img.png`], file: `${origin}/doc` });
    const inline = await allowed.read({ image: [png.toString('base64')], file: docx.toString('base64') });
    expect(viaUrl).toEqual(inline);
    expect(viaUrl.text).toBe('Downloaded DOCX says hello');
    expect(viaUrl.images).toBe(1);
  });

  it('follows up to 3 redirects, re-checking every hop', async () => {
    expect((await allowed.read({ image: [`${origin}/chain?n=3`] })).images).toBe(1);
    await expectError(allowed.read({ image: [`${origin}/chain?n=4`] }), 'DOCUMENT_ERROR', 'image.0', /more than 3 redirects/);
    await expectError(allowed.read({ image: [`${origin}/loop`] }), 'DOCUMENT_ERROR', 'image.0', /more than 3 redirects/);
    // localhost is not allow-listed (only 127.0.0.1 is): refused at the second hop.
    const toLocalhost = `${origin}/redirect?to=${encodeURIComponent(`http://localhost:${port}/img.png`)}`;
    await expectError(allowed.read({ image: [toLocalhost] }), 'VALIDATION_ERROR', 'image.0', /"localhost" resolves to a loopback/);
    const toMetadata = `${origin}/redirect?to=${encodeURIComponent('http://169.254.169.254/')}`;
    await expectError(allowed.read({ file: toMetadata }), 'VALIDATION_ERROR', 'file', /link-local/);
    const toFile = `${origin}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`;
    await expectError(allowed.read({ file: toFile }), 'VALIDATION_ERROR', 'file', /only http and https/);
  });

  it('aborts a download over maxBytes, declared or streamed', async () => {
    const small = new DocumentReader({ ocr: false, allowHosts: ['127.0.0.1'], maxBytes: 20_000 });
    await expectError(small.read({ image: [`${origin}/big-declared`] }), 'DOCUMENT_ERROR', 'image.0', /larger than 19\.5 KB/);
    const started = Date.now();
    await expectError(small.read({ image: [`${origin}/big-chunked`] }), 'DOCUMENT_ERROR', 'image.0', /larger than/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('bounds the bytes of one request as a whole (maxTotalBytes), not only per input', async () => {
    const budget = new DocumentReader({ ocr: false, allowHosts: ['127.0.0.1'], maxTotalBytes: png.length * 2 + 10 });
    const ok = await budget.read({ image: [`${origin}/img.png`, `${origin}/img.png`] });
    expect(ok.images).toBe(2);
    const err = await budget.read({ image: Array.from({ length: 5 }, () => `${origin}/img.png`) }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('DOCUMENT_ERROR');
    const inline = png.toString('base64');
    const tooMuchInline = await budget.read({ image: [inline, inline, inline] }).catch((e: unknown) => e);
    expect((tooMuchInline as { code: string }).code).toBe('DOCUMENT_ERROR');
  });

  it('times out a slow server', async () => {
    const quick = new DocumentReader({ ocr: false, allowHosts: ['127.0.0.1'], fetchTimeoutMs: 300 });
    const started = Date.now();
    await expectError(quick.read({ image: [`${origin}/slow`] }), 'DOCUMENT_ERROR', 'image.0', /timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports HTTP errors and connection failures as DOCUMENT_ERROR', async () => {
    await expectError(allowed.read({ file: `${origin}/missing` }), 'DOCUMENT_ERROR', 'file', /HTTP 404/);
    const closedPort = new DocumentReader({ ocr: false, allowHosts: ['127.0.0.1'] });
    await expectError(closedPort.read({ image: ['http://127.0.0.1:1/x.png'] }), 'DOCUMENT_ERROR', 'image.0', /download failed \(ECONNREFUSED\)/);
  });

  it('does not refuse public addresses (the attempt fails offline, as a DOCUMENT_ERROR)', async () => {
    const quick = new DocumentReader({ ocr: false, fetchTimeoutMs: 300 });
    // 203.0.113.0/24 is TEST-NET-3: public, unroutable.
    const err = await quick.read({ image: ['http://203.0.113.9/a.png'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DOCUMENT_ERROR', details: { field: 'image.0' } });
  });

  it("the caller's abort cancels a download with the caller's reason", async () => {
    const reason = new Error('request cancelled');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 100);
    await expect(allowed.read({ image: [`${origin}/slow`] }, controller.signal)).rejects.toBe(reason);
  });

  it('the first failing download cancels the others', async () => {
    const started = Date.now();
    await expectError(allowed.read({ image: [`${origin}/slow`, `${origin}/missing`, `${origin}/slow`] }), 'DOCUMENT_ERROR', 'image.1', /HTTP 404/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
