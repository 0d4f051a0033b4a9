import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_TAG_KEYS,
  Tag,
} from '@internal/backstage-plugin-meter-siem-common';
import { TaggedResource, reconcileTags, tagChanges } from './tags';

const policyKeys = Object.values(DEFAULT_TAG_KEYS);
const wanted = {
  owner: 'group:default/security',
  environment: 'production',
};

describe('tagChanges', () => {
  it("renames Meter-guide-style keys to the policy's, with the run's values", () => {
    expect(
      tagChanges(
        {
          Owner: 'group:default/security',
          Environment: 'Production',
          // The guide's other suggestion: another key than managed-by.
          ManagedBy: 'Security Team',
        },
        wanted,
        policyKeys,
      ),
    ).toEqual({
      renames: [
        { key: 'Owner', expected: 'owner' },
        { key: 'Environment', expected: 'environment' },
      ],
      set: [
        { Key: 'owner', Value: 'group:default/security' },
        { Key: 'environment', Value: 'production' },
      ],
    });
  });

  it('renames a policy key the run gives no value for, keeping its value', () => {
    expect(
      tagChanges(
        { ...wanted, System: 'system:default/siem', 'Managed-By': 'terraform' },
        wanted,
        policyKeys,
      ),
    ).toEqual({
      renames: [
        { key: 'System', expected: 'system' },
        { key: 'Managed-By', expected: 'managed-by' },
      ],
      set: [
        { Key: 'system', Value: 'system:default/siem' },
        { Key: 'managed-by', Value: 'terraform' },
      ],
    });
  });

  it('removes the other spelling when both are there, and sets the key again', () => {
    // Removing Environment in IAM, which ignores case, removes environment.
    expect(
      tagChanges({ ...wanted, Environment: 'Production' }, wanted, policyKeys),
    ).toEqual({
      renames: [{ key: 'Environment', expected: 'environment' }],
      set: [{ Key: 'environment', Value: 'production' }],
    });
  });

  it("renames an extra tag of the run spelled otherwise on the resource to the run's spelling", () => {
    expect(
      tagChanges(
        { ...wanted, 'Cost-Center': 'CC-1' },
        { ...wanted, 'cost-center': 'CC-42' },
        policyKeys,
      ),
    ).toEqual({
      renames: [{ key: 'Cost-Center', expected: 'cost-center' }],
      set: [{ Key: 'cost-center', Value: 'CC-42' }],
    });
  });

  it('changes nothing on a resource already tagged as wanted, and leaves other keys alone', () => {
    expect(
      tagChanges({ ...wanted, Team: 'blue', keep: 'me' }, wanted, policyKeys),
    ).toEqual({ renames: [], set: [] });
  });

  it('sets what is missing or different, renaming nothing', () => {
    expect(tagChanges({ owner: 'someone-else' }, wanted, policyKeys)).toEqual({
      renames: [],
      set: [
        { Key: 'owner', Value: 'group:default/security' },
        { Key: 'environment', Value: 'production' },
      ],
    });
  });
});

/** A resource in memory that records its calls. */
function fakeResource(
  tags: Record<string, string>,
  keysIgnoreCase: boolean,
): TaggedResource & { calls: string[]; tags: Record<string, string> } {
  const calls: string[] = [];
  const same = (a: string, b: string) =>
    keysIgnoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
  const resource = {
    arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/x',
    keysIgnoreCase,
    calls,
    tags: { ...tags },
    read: async () => ({ ...resource.tags }),
    tag: async (list: Tag[]) => {
      calls.push(`tag ${list.map(t => t.Key).join(',')}`);
      for (const { Key, Value } of list) {
        for (const k of Object.keys(resource.tags)) {
          if (same(k, Key)) delete resource.tags[k];
        }
        resource.tags[Key] = Value;
      }
    },
    untag: async (keys: string[]) => {
      calls.push(`untag ${keys.join(',')}`);
      for (const key of keys) {
        for (const k of Object.keys(resource.tags)) {
          if (same(k, key)) delete resource.tags[k];
        }
      }
    },
  };
  return resource;
}

describe('reconcileTags', () => {
  const logger = mockServices.logger.mock();
  const guide = {
    Owner: 'group:default/security',
    Environment: 'Production',
    environment: 'staging',
  };

  it('on IAM (keys ignore case): removes the old spellings first, then tags', async () => {
    const role = fakeResource(guide, true);
    expect(await reconcileTags(role, wanted, policyKeys, logger)).toBe(true);
    expect(role.calls).toEqual([
      'untag Owner,Environment',
      'tag owner,environment',
    ]);
    expect(role.tags).toEqual(wanted);
    expect(await reconcileTags(role, wanted, policyKeys, logger)).toBe(false);
    expect(role.calls).toHaveLength(2);
  });

  it('on Kinesis (keys keep case): tags first, never leaving it untagged, then removes', async () => {
    const stream = fakeResource(guide, false);
    expect(await reconcileTags(stream, wanted, policyKeys, logger)).toBe(true);
    expect(stream.calls).toEqual([
      'tag owner,environment',
      'untag Owner,Environment',
    ]);
    expect(stream.tags).toEqual(wanted);
    expect(await reconcileTags(stream, wanted, policyKeys, logger)).toBe(false);
    expect(stream.calls).toHaveLength(2);
  });
});
