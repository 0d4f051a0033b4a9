import { resolveSettings } from '@internal/backstage-plugin-meter-siem-common';
import { JANE, SAM, testAccess } from '../__testUtils__/org';
import { ownershipChecks } from './options';

describe('ownershipChecks: a resource that already exists', () => {
  const settings = resolveSettings();
  const target = {
    name: 'office',
    region: 'eu-west-1',
    owner: 'group:default/security',
    environment: 'production',
  };
  const ours = {
    'managed-by': 'backstage',
    'meter-siem-integration': 'office',
  };
  const existing = (userRef: string) =>
    ownershipChecks(testAccess(), settings, { user: { ref: userRef } }, target)
      .existing;

  it.each([
    ['owner', 'group:default/security'],
    ['Owner', 'group:default/security'],
    ['OWNER', 'security'],
  ])(
    'reads its owner from %p, as the catalog does: members may act',
    async (key, value) => {
      await expect(
        existing(JANE)({ ...ours, [key]: value }, 'stream x'),
      ).resolves.toBeUndefined();
    },
  );

  it('refuses others, naming the owner read from an Owner tag', async () => {
    await expect(
      existing(SAM)(
        { ...ours, Owner: 'group:default/security' },
        'Kinesis stream meter-siem-office',
      ),
    ).rejects.toThrow(
      'Not allowed to change Kinesis stream meter-siem-office, which already exists and belongs to group:default/security: user:default/sam.lee is not a member of group:default/security',
    );
  });

  it('reads no other key as the owner: OwnerTeam leaves it to the admin group', async () => {
    await expect(
      existing(JANE)(
        { ...ours, OwnerTeam: 'group:default/security' },
        'Kinesis stream meter-siem-office',
      ),
    ).rejects.toThrow('belongs to no owner (no owner tag)');
  });
});
