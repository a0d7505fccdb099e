// The saved classifier part of the store contract (see ../contract.ts).
import { beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../../src/store/index.js';
import { expectError } from '../helpers.js';

/** Registers the saved classifier tests; `stores()` is the current test's fresh stores. */
export function classifiersContract(stores: () => Stores): void {
  let s: Stores;
  beforeEach(() => {
    s = stores();
  });

  describe('saved classifiers', () => {
    const support = { name: 'support', labels: ['billing', 'shipping'], descriptions: { billing: 'money' }, examples: { shipping: ['where is my parcel'] }, text_type: 'ticket', threshold: 0.4 };

    it('creates v1 with the stored shape', async () => {
      const v1 = await s.classifiers.create(support);
      expect(v1).toEqual({ ...support, version: 'v1', created_at: expect.any(String) });
      expect(new Date(v1.created_at).toISOString()).toBe(v1.created_at);
    });

    it('creates the next version for an existing name and keeps old versions unchanged', async () => {
      await s.classifiers.create(support);
      const v2 = await s.classifiers.create({ name: 'support', labels: ['refund'] });
      expect(v2).toMatchObject({ version: 'v2', labels: ['refund'], descriptions: {}, examples: {}, text_type: null, threshold: null });
      expect(await s.classifiers.get('support')).toMatchObject({ version: 'v2', labels: ['refund'], versions: ['v1', 'v2'] });
      expect(await s.classifiers.get('support@v1')).toEqual({ ...support, version: 'v1', created_at: expect.any(String), versions: ['v1', 'v2'] });
    });

    it('lists classifiers with latest version, versions and times', async () => {
      await s.classifiers.create(support);
      await s.classifiers.create({ name: 'support', labels: ['refund'] });
      await s.classifiers.create({ name: 'alpha', labels: ['x'] });
      const { classifiers } = await s.classifiers.list();
      expect(classifiers.map((c) => c.name)).toEqual(['alpha', 'support']);
      const sup = classifiers[1];
      expect(sup).toEqual({ name: 'support', latest_version: 'v2', versions: ['v1', 'v2'], created_at: expect.any(String), updated_at: expect.any(String) });
      expect(sup.updated_at >= sup.created_at).toBe(true);
    });

    it('gives concurrent creators distinct, contiguous versions', async () => {
      const made = await Promise.all(Array.from({ length: 25 }, (_, i) => s.classifiers.create({ name: 'busy', labels: [`l${i}`] })));
      expect(made.map((v) => v.version).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(Array.from({ length: 25 }, (_, i) => `v${i + 1}`));
      expect((await s.classifiers.get('busy')).versions).toHaveLength(25);
    });

    it('trims labels and matches description and example keys to them', async () => {
      const v = await s.classifiers.create({ name: 'trim', labels: [' a ', 'b'], descriptions: { ' a': 'x' }, examples: { 'b ': [' ex '] } });
      expect(v).toMatchObject({ labels: ['a', 'b'], descriptions: { a: 'x' }, examples: { b: ['ex'] } });
    });

    it('is CLASSIFIER_NOT_FOUND for an unknown name, unknown version or malformed reference', async () => {
      await s.classifiers.create(support);
      await expectError(s.classifiers.get('nope'), 'CLASSIFIER_NOT_FOUND');
      await expectError(s.classifiers.get('support@v2'), 'CLASSIFIER_NOT_FOUND');
      await expectError(s.classifiers.get('Support!'), 'CLASSIFIER_NOT_FOUND');
      await expectError(s.classifiers.delete('nope'), 'CLASSIFIER_NOT_FOUND');
    });

    it('deletes every version', async () => {
      await s.classifiers.create(support);
      await s.classifiers.create(support);
      expect(await s.classifiers.delete('support')).toEqual({ name: 'support', deleted: true });
      await expectError(s.classifiers.get('support'), 'CLASSIFIER_NOT_FOUND');
      await expectError(s.classifiers.get('support@v1'), 'CLASSIFIER_NOT_FOUND');
      expect((await s.classifiers.list()).classifiers).toEqual([]);
    });

    it('hides one account’s classifiers from another', async () => {
      await s.classifiers.create(support, { account: 'acme' });
      await expectError(s.classifiers.get('support'), 'CLASSIFIER_NOT_FOUND');
      await expectError(s.classifiers.delete('support'), 'CLASSIFIER_NOT_FOUND');
      expect((await s.classifiers.list()).classifiers).toEqual([]);
      expect((await s.classifiers.create(support)).version).toBe('v1');
      expect((await s.classifiers.get('support', { account: 'acme' })).versions).toEqual(['v1']);
    });

    it.each([
      [{ name: 'Bad Name', labels: ['a'] }, 'name'],
      [{ name: '-x', labels: ['a'] }, 'name'],
      [{ name: 'x'.repeat(65), labels: ['a'] }, 'name'],
      [{ name: 'ok', labels: [] }, 'labels'],
      [{ name: 'ok', labels: ['a', ' a'] }, 'labels'],
      [{ name: 'ok', labels: ['a', ''] }, 'labels.1'],
      [{ name: 'ok', labels: ['a'], descriptions: { b: 'x' } }, 'descriptions.b'],
      [{ name: 'ok', labels: ['a'], examples: { a: 'x' } }, 'examples.a'],
      [{ name: 'ok', labels: ['a'], text_type: 'x'.repeat(101) }, 'text_type'],
      [{ name: 'ok', labels: ['a'], threshold: 1.5 }, 'threshold'],
    ])('rejects %j with VALIDATION_ERROR naming %s', async (input, field) => {
      await expectError(s.classifiers.create(input as never), 'VALIDATION_ERROR', field);
      expect((await s.classifiers.list()).classifiers).toEqual([]);
    });
  });
}
