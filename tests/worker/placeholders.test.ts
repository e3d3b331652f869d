// `{{payload.…}}` placeholders: whole values in place, each argument stays one argument, and a
// missing path is an error naming it.
import { describe, expect, it } from 'vitest';
import { PlaceholderError, fillPlaceholders } from '../../src/worker/placeholders.js';

const payload = {
  repo: 'org/app',
  n: 3,
  flag: false,
  none: null,
  task: { title: 'fix the bug', tags: ['a', 'b'], deep: { x: 'y' } },
  list: [{ name: 'first' }, { name: 'second' }],
  spaced: 'two words; $(touch /tmp/x) `id` | cat',
};

describe('fillPlaceholders', () => {
  it('replaces strings as they are and other values as JSON text', () => {
    expect(
      fillPlaceholders(
        [
          'run',
          '{{payload.repo}}',
          '--n={{payload.n}}',
          '{{payload.flag}}',
          '{{payload.none}}',
          '{{payload.task.tags}}',
        ],
        payload,
      ),
    ).toEqual(['run', 'org/app', '--n=3', 'false', 'null', '["a","b"]']);
  });

  it('reaches nested objects and array elements', () => {
    expect(
      fillPlaceholders(
        ['{{payload.task.title}}', '{{payload.task.deep}}', '{{payload.list.1.name}}'],
        payload,
      ),
    ).toEqual(['fix the bug', '{"x":"y"}', 'second']);
  });

  it('{{payload}} is the whole payload as JSON', () => {
    expect(fillPlaceholders(['{{payload}}'], { a: 1 })).toEqual(['{"a":1}']);
  });

  it('several placeholders in one argument, and spaces inside the braces', () => {
    expect(fillPlaceholders(['{{ payload.repo }}#{{payload.n}}'], payload)).toEqual(['org/app#3']);
  });

  it('each argument stays one argument whatever its value holds', () => {
    const argv = fillPlaceholders(['echo', '{{payload.spaced}}'], payload);
    expect(argv).toEqual(['echo', payload.spaced]);
    expect(argv).toHaveLength(2);
  });

  it('a value holding placeholder syntax is not expanded again', () => {
    expect(fillPlaceholders(['{{payload.a}}'], { a: '{{payload.b}}', b: 'secret' })).toEqual([
      '{{payload.b}}',
    ]);
  });

  it('arguments without placeholders and other braces are untouched', () => {
    const argv = ['--json', '{"a":1}', '{{other.x}}', '{{ }}', 'plain'];
    expect(fillPlaceholders(argv, payload)).toEqual(argv);
  });

  it('a missing path is a PlaceholderError naming it', () => {
    for (const path of [
      'payload.missing',
      'payload.task.nope',
      'payload.repo.length',
      'payload.list.5.name',
      'payload.list.x',
    ]) {
      let caught: unknown;
      try {
        fillPlaceholders(['run', `{{${path}}}`], payload);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(PlaceholderError);
      expect((caught as PlaceholderError).path).toBe(path);
      expect((caught as PlaceholderError).message).toContain(`{{${path}}}`);
    }
  });

  it('inherited properties are not payload values', () => {
    expect(() => fillPlaceholders(['{{payload.constructor}}'], {})).toThrow(PlaceholderError);
    expect(() => fillPlaceholders(['{{payload.toString}}'], {})).toThrow(PlaceholderError);
  });
});
