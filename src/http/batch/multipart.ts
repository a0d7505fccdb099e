/**
 * The presigned-style form upload of spec §7: `multipart/form-data` with the `upload_fields`
 * (text fields) followed by the file as the field `file`, parsed with busboy. The file part is
 * handed on as a stream of its bytes, never buffered; the text fields must come before it, as
 * with a presigned S3 form (its authorization is among them and is checked before a byte of the
 * file is read).
 */
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { unsupportedMediaType, validationError } from '../../errors.js';
import type { StreamBody } from '../route.js';

/** Bounds on what precedes the file: a handful of short fields, nothing an attacker can grow. */
const LIMITS = Object.freeze({ fields: 16, fieldSize: 8 * 1024, parts: 32, headerPairs: 16 });

/** Bytes a form may add around its file (boundaries, part headers, fields) within the body limit. */
export const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/**
 * Parses the form in `body` and calls `onFile` with the fields read so far and the file part's
 * bytes as soon as the `file` part starts. The file's stream ends only once the whole form has
 * been read and found well-formed, so a form that turns out bad after its file (a second file,
 * a broken ending) fails `onFile`'s read instead of completing it. Resolves with `onFile`'s
 * value; rejects with the first failure: 415 when the body is not `multipart/form-data`, 422
 * `VALIDATION_ERROR` for a malformed form, a missing or extra file part or an over-long field,
 * the body's own error (too large, stalled, client gone), or `onFile`'s. On failure it waits
 * for `onFile` to let go of the file before rejecting.
 */
export function readMultipart<T>(body: StreamBody, onFile: (fields: ReadonlyMap<string, string>, file: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T> {
  const type = body.contentType.split(';')[0].trim().toLowerCase();
  if (type !== 'multipart/form-data') return Promise.reject(unsupportedMediaType(type || null, 'multipart/form-data (or PUT application/x-ndjson)'));
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': body.contentType }, limits: LIMITS });
  } catch (err) {
    return Promise.reject(validationError('body', 'multipart/form-data needs a boundary parameter in Content-Type', err));
  }
  return new Promise<T>((resolve, reject) => {
    const fields = new Map<string, string>();
    let consuming: Promise<T> | null = null;
    let file: Readable | null = null;
    let failed = false;
    let formDone!: () => void;
    let formFailed!: (err: unknown) => void;
    const formEnd = new Promise<void>((res, rej) => {
      formDone = res;
      formFailed = rej;
    });
    formEnd.catch(() => undefined); // awaited by the file's reader only once the file has ended

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.readable.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      parser.destroy();
      formFailed(err);
      file?.destroy(err as Error);
      // The reader of the file sees the failure and lets go (nothing of the upload is kept).
      if (consuming) consuming.then(() => reject(err), () => reject(err));
      else reject(err);
    };

    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) return fail(validationError(name, `form field "${name.slice(0, 64)}" is longer than ${LIMITS.fieldSize} bytes`));
      // Fields after the file are read (the form must be well-formed) but not used.
      if (!consuming) fields.set(name, value);
    });
    parser.on('file', (name, stream) => {
      // Failing destroys the part with the failure; whoever reads it learns of it by reading.
      stream.on('error', () => undefined);
      if (consuming || name !== 'file') {
        stream.resume();
        const why = name !== 'file' ? `unexpected file part "${name.slice(0, 64)}"; the input goes in the field "file"` : 'the form has more than one file part';
        return fail(validationError(name === 'file' ? 'file' : name, why));
      }
      file = stream;
      consuming = onFile(new Map(fields), fileBytes(stream, formEnd));
      consuming.then(resolve, fail);
    });
    parser.on('partsLimit', () => fail(validationError('body', `the form has more than ${LIMITS.parts} parts`)));
    parser.on('fieldsLimit', () => fail(validationError('body', `the form has more than ${LIMITS.fields} fields`)));
    parser.on('error', (err: Error) => fail(validationError('body', `malformed multipart/form-data: ${err.message.slice(0, 200)}`, err)));
    parser.on('close', () => {
      if (failed) return;
      if (!consuming) return fail(validationError('file', 'the form has no file part "file" (it goes after the upload_fields)'));
      formDone();
    });
    // The body's own failures (over the limit, stalled, the client gone) end the upload.
    body.readable.on('error', fail);
    body.readable.pipe(parser);
  });
}

/** The file part's bytes; ends only after the rest of the form was read without a fault. */
async function* fileBytes(stream: Readable, formEnd: Promise<void>): AsyncGenerator<Uint8Array> {
  for await (const chunk of stream) yield chunk as Uint8Array;
  await formEnd;
}
