// The work_queue prompt, the server instructions and the two resources, as a host reads them.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/core/types.js';
import { backendsForSuite } from '../helpers/backends.js';
import { McpHarness, MCP_TEST_TIMEOUT_MS, ok, useMcpHarness } from './harness.js';

describe.each(backendsForSuite())('MCP prompt and resources ($name)', (backend) => {
  let h: McpHarness;
  useMcpHarness(backend, (opened) => (h = opened));

  it(
    'serves instructions, the work_queue prompt, and job / status resources',
    { timeout: MCP_TEST_TIMEOUT_MS },
    async () => {
      const client = await h.stdio();
      const instructions = client.getInstructions() ?? '';
      for (const word of [
        'queue_claim',
        'queue_heartbeat',
        'queue_ack_cancel',
        'lease_lost',
        'retryAfterSeconds',
      ]) {
        expect(instructions).toContain(word);
      }

      const prompt = await client.getPrompt({
        name: 'work_queue',
        arguments: { types: 'code.review, docs.write', maxJobs: '3' },
      });
      const text = prompt.messages[0]!.content.type === 'text' ? prompt.messages[0]!.content.text : '';
      expect(text).toContain('["code.review","docs.write"]');
      expect(text).toContain('Stop after 3 job(s)');
      // Long-polls, not a count of quick empty claims: claims and paused heartbeats wait in the call.
      expect(text).toContain('Call queue_claim with waitSeconds: 50 and types ["code.review","docs.write"].');
      expect(text).toContain('First call queue_held');
      expect(text).toContain('call queue_heartbeat with waitSeconds: 50 until it answers "continue"');
      expect(text).toMatch(/two claims in a row answer "wait" while system.workersPaused is false/);
      expect(text).not.toMatch(/three claims|and waitSeconds/);
      for (const word of ['queue_complete', 'queue_fail', '"cancel"', '"pause"', 'lease_lost'])
        expect(text).toContain(word);
      await expect(client.getPrompt({ name: 'work_queue', arguments: { maxJobs: 'lots' } })).rejects.toThrow(
        /maxJobs|whole number/,
      );

      const { job } = await ok<{ job: Job }>(client, 'queue_enqueue', { type: 'res.job' });
      const read = await client.readResource({ uri: `agent-queue://jobs/${job.id}` });
      const content = read.contents[0] as { text: string; mimeType: string };
      expect(content.mimeType).toBe('application/json');
      const parsed = JSON.parse(content.text) as { job: Job; events: { kind: string }[] };
      expect(parsed.job.id).toBe(job.id);
      expect(parsed.events.map((e) => e.kind)).toEqual(['enqueued']);
      await expect(
        client.readResource({ uri: 'agent-queue://jobs/01900000-0000-7000-8000-000000000000' }),
      ).rejects.toThrow(/No job/);

      const listed = await client.listResources();
      expect(listed.resources.map((r) => r.uri)).toEqual(
        expect.arrayContaining(['agent-queue://status', `agent-queue://jobs/${job.id}`]),
      );
      const statusContent = (await client.readResource({ uri: 'agent-queue://status' })).contents[0] as {
        text: string;
      };
      const status = JSON.parse(statusContent.text) as { metrics: { queued: number } };
      expect(status.metrics.queued).toBe(1);
    },
  );
});
