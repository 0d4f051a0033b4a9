import { provisionIntegration } from './integration';

jest.setTimeout(60_000);

describe('provisionIntegration', () => {
  it('makes an integration in an account of its own and reads its entities', async () => {
    const made = await provisionIntegration();
    expect(made.entityRef).toBe(
      `resource:default/${made.name}-${made.accountId}`,
    );
    expect(made.entity.spec?.owner).toBe('group:default/security');
    expect(made.entities).toHaveLength(4);
    expect(await made.externalId()).toMatch(/^[0-9a-f]{64}$/);
    const { integration } = {
      integration: await made.actionOptions.access.integration(made.entityRef),
    };
    expect(integration.streamArn).toBe(made.streamArn);
  });
});
