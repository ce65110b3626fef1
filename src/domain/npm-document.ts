// Reading the JSON document `npm publish` sends (`{name, versions, "dist-tags", _attachments: {
// "<name>-<version>.tgz": {data: "<base64>"}}}`) as a stream: the tarball's base64 text is decoded
// chunk by chunk into a byte stream while the rest of the document is assembled, so a tarball of any
// size passes through bounded memory. stream-json (its Parser) makes the tokens.
import { PassThrough, type Readable } from 'node:stream';
import Parser from 'stream-json/Parser.js';

/** The document without the tarball's data, and the name of the attachment whose data was streamed. */
export interface NpmDocument {
  value: Record<string, unknown>;
  /** The `_attachments` key whose `data` went to the tarball stream (the first one), or null. */
  attachment: string | null;
}

/** The document is not JSON, not an object, or too large; npm's document is refused with 400. */
export class NpmDocumentError extends Error {
  override name = 'NpmDocumentError';
}

/** Characters of the document besides the tarball's data that are assembled at most. */
export const maxDocumentChars = 16 * 1024 * 1024;

/** The tarball's reader stopped before the document ended; the reader's error says why. */
class TarballAbandoned extends Error {
  override name = 'TarballAbandoned';
}

/**
 * `text` as it may be stored: PostgreSQL's text and jsonb cannot hold U+0000 (src/domain/text.ts),
 * so a document holding it in any key or string (besides the tarball's data) cannot be published or
 * deprecated, and is refused as JSON the registry cannot read (400 `Invalid json`), not failed in the
 * database (a 500).
 */
function storable(text: string): string {
  if (text.includes('\u0000')) throw new NpmDocumentError('invalid JSON: U+0000 in a string');
  return text;
}

type Container = { kind: 'object'; value: Record<string, unknown>; key: string | null } | { kind: 'array'; value: unknown[] };

/** Decodes base64 text arriving in pieces of any length (a piece may end inside a quadruple). */
class Base64Decoder {
  private rest = '';
  push(text: string): Buffer {
    const all = this.rest + text.replace(/\s/g, '');
    const whole = all.length - (all.length % 4);
    this.rest = all.slice(whole);
    return Buffer.from(all.slice(0, whole), 'base64');
  }
  end(): Buffer {
    const last = Buffer.from(this.rest, 'base64');
    this.rest = '';
    return last;
  }
}

/**
 * Parses the publish document from `body`: resolves to the document, with `_attachments.*.data` of
 * the first attachment left out and its decoded bytes written to `tarball` (ended when the string
 * ends, or empty when there is none; destroyed with the error when the parse fails). Pass no tarball
 * to parse a document without attachments (deprecate). Throws NpmDocumentError for bad JSON, a
 * document that is not an object, or more than `maxDocumentChars` of text outside the tarball.
 */
export async function readNpmDocument(body: Readable | AsyncIterable<Uint8Array>, tarball?: PassThrough): Promise<NpmDocument> {
  const parser = new Parser({
    packKeys: true,
    streamKeys: false,
    packStrings: false,
    streamStrings: true,
    packNumbers: true,
    streamNumbers: false,
  });
  // The body's own failure (a client that went away) is passed on as it is, not as bad JSON.
  let bodyError: unknown;
  const input = (async () => {
    try {
      for await (const chunk of body) {
        if (parser.destroyed) return; // the parse stopped (bad JSON, or the tarball's reader gave up)
        if (!parser.write(chunk)) await new Promise((resolve) => (parser.once('drain', resolve), parser.once('close', resolve)));
      }
      parser.end();
    } catch (error) {
      bodyError = error;
      parser.destroy(error as Error);
    }
  })();
  const stack: Container[] = [];
  let root: unknown;
  let attachment: string | null = null;
  let streaming: Base64Decoder | null = null;
  let text: string | null = null;
  let chars = 0;
  const count = (n: number) => {
    chars += n;
    if (chars > maxDocumentChars) throw new NpmDocumentError(`the package document is larger than ${maxDocumentChars} characters`);
  };
  const place = (value: unknown) => {
    const top = stack.at(-1);
    if (!top) root = value;
    else if (top.kind === 'array') top.value.push(value);
    else top.value[top.key!] = value; // the key stays until the next one: it names the path to nested values
  };
  const path = () => stack.map((c) => (c.kind === 'object' ? c.key : null));
  const write = async (bytes: Buffer) => {
    if (bytes.length === 0 || !tarball) return;
    // The storage stopped reading (the file is too large, the storage failed): its error is the one to report.
    if (tarball.destroyed) throw new TarballAbandoned();
    if (!tarball.write(bytes)) await new Promise((resolve) => (tarball.once('drain', resolve), tarball.once('close', resolve)));
  };
  try {
    for await (const token of parser as AsyncIterable<{
      name: string;
      value?: string;
    }>) {
      switch (token.name) {
        case 'startObject':
        case 'startArray': {
          const container: Container = token.name === 'startObject' ? { kind: 'object', value: {}, key: null } : { kind: 'array', value: [] };
          place(container.value);
          stack.push(container);
          break;
        }
        case 'endObject':
        case 'endArray':
          stack.pop();
          break;
        case 'keyValue': {
          count(token.value!.length);
          const top = stack.at(-1);
          if (top?.kind === 'object') top.key = storable(token.value!);
          break;
        }
        case 'startString': {
          const at = path();
          if (tarball && attachment === null && at.length === 3 && at[0] === '_attachments' && at[2] === 'data' && stack[0]!.kind === 'object') {
            attachment = at[1]!;
            streaming = new Base64Decoder();
          } else {
            text = '';
          }
          break;
        }
        case 'stringChunk':
          if (streaming) await write(streaming.push(token.value!));
          else {
            count(token.value!.length);
            text += token.value!;
          }
          break;
        case 'endString':
          if (streaming) {
            await write(streaming.end());
            streaming = null;
            tarball!.end();
            // The attachment keeps its other fields; its data went to the tarball.
          } else {
            place(storable(text!));
            text = null;
          }
          break;
        case 'numberValue':
          place(Number(token.value));
          break;
        case 'trueValue':
          place(true);
          break;
        case 'falseValue':
          place(false);
          break;
        case 'nullValue':
          place(null);
          break;
      }
    }
    await input;
  } catch (error) {
    parser.destroy();
    const failure =
      bodyError ??
      (error instanceof NpmDocumentError || error instanceof TarballAbandoned
        ? error
        : new NpmDocumentError(`invalid JSON: ${(error as Error).message}`));
    tarball?.destroy(failure as Error);
    throw failure;
  }
  if (tarball && !tarball.writableEnded) tarball.end();
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    const failure = new NpmDocumentError('the package document must be a JSON object');
    tarball?.destroy(failure);
    throw failure;
  }
  return { value: root as Record<string, unknown>, attachment };
}
