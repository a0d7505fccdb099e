import type { CliValues } from './main.js';
import { engineFromFlags, labelConfigFromFlags } from './request.js';

/** One-shot classification: prints the JSON response on stdout. */
export async function runClassify(text: string, values: CliValues): Promise<number> {
  const request = { ...(await labelConfigFromFlags(values)), text };
  const engine = await engineFromFlags(values);
  try {
    const response = values.tag ? await engine.tag(request) : await engine.classify(request);
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    return 0;
  } finally {
    await engine.close();
  }
}
