import { useCallback, useEffect, useRef, useState } from 'react';
import { parseEntityRef } from '@backstage/catalog-model';
import { CopyTextButton } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { Alert, Button, Flex, Text } from '@backstage/ui';
import { meterSiemExternalIdReadPermission } from '@internal/backstage-plugin-meter-siem-common';
import { meterSiemApiRef } from '../../api';
import { errorMessage } from '../errorMessage';

export const NO_EXTERNAL_ID_WARNING =
  "This role's trust policy requires no external ID: anyone who knows the role ARN can make Meter deliver their events into this stream.";

/** What the external ID field needs to know of the integration. */
export interface ExternalIdFieldProps {
  /** The integration entity's ref, e.g. `resource:default/hq-123456789012`. */
  entityRef: string;
  /** The integration's `spec.owner`, as written on the entity. */
  owner?: string;
  /** The audit facts say the role trusts Meter without an external ID. */
  trustWithoutExternalId: boolean;
}

function Owner(props: { owner?: string; entityRef: string }) {
  const { owner, entityRef } = props;
  if (!owner) return null;
  const defaultNamespace = parseEntityRef(entityRef).namespace;
  try {
    parseEntityRef(owner, { defaultKind: 'group', defaultNamespace });
  } catch {
    return <>{owner}</>;
  }
  return (
    <EntityRefLink
      entityRef={owner}
      defaultKind="group"
      defaultNamespace={defaultNamespace}
    />
  );
}

type RevealState =
  | { status: 'hidden' }
  | { status: 'loading' }
  | { status: 'shown'; externalId: string }
  | { status: 'failed'; error: Error };

/**
 * The reveal button, then the value with its copy and hide buttons. The value
 * lives only in this component's state: it is never logged, nor put in the
 * URL or in storage, and it is gone when the card unmounts.
 */
function ExternalIdReveal(props: { entityRef: string }) {
  const { entityRef } = props;
  const api = useApi(meterSiemApiRef);
  const [state, setState] = useState<RevealState>({ status: 'hidden' });
  // Answers of a request made for an earlier render (another entity, or
  // after unmounting) are dropped.
  const request = useRef(0);
  useEffect(() => {
    request.current += 1;
    setState({ status: 'hidden' });
    return () => {
      request.current += 1;
    };
  }, [api, entityRef]);

  const reveal = useCallback(async () => {
    request.current += 1;
    const current = request.current;
    setState({ status: 'loading' });
    try {
      const externalId = await api.revealExternalId(entityRef);
      if (current === request.current) {
        setState({ status: 'shown', externalId });
      }
    } catch (error) {
      if (current === request.current) {
        setState({
          status: 'failed',
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    }
  }, [api, entityRef]);

  const hide = useCallback(() => {
    request.current += 1;
    setState({ status: 'hidden' });
  }, []);

  if (state.status === 'shown') {
    return (
      <Flex align="center" gap="2">
        <Text
          variant="body-medium"
          style={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
        >
          {state.externalId}
        </Text>
        <CopyTextButton
          text={state.externalId}
          aria-label="Copy external ID"
          tooltipText="External ID copied"
          variant="tertiary"
        />
        <Button variant="tertiary" size="small" onPress={hide}>
          Hide
        </Button>
      </Flex>
    );
  }

  return (
    <Flex direction="column" gap="2" align="start">
      <Button
        variant="secondary"
        size="small"
        onPress={reveal}
        isPending={state.status === 'loading'}
      >
        Reveal external ID
      </Button>
      {state.status === 'failed' && (
        <Alert
          status="danger"
          icon
          title="Could not reveal the external ID"
          description={errorMessage(state.error)}
        />
      )}
    </Flex>
  );
}

/** Asks whether the user may reveal the external ID, then offers it or not. */
function ExternalIdAccess(props: { entityRef: string; owner?: string }) {
  const { entityRef, owner } = props;
  const permission = usePermission({
    permission: meterSiemExternalIdReadPermission,
    resourceRef: entityRef,
  });

  if (permission.loading) {
    return (
      <Text variant="body-medium" color="secondary">
        Checking access…
      </Text>
    );
  }
  if (permission.error) {
    return (
      <Text as="p" variant="body-medium">
        Could not check whether you may reveal the external ID:{' '}
        {permission.error.message}
      </Text>
    );
  }
  if (!permission.allowed) {
    return (
      <Text as="p" variant="body-medium">
        A secret, not stored in the catalog.{' '}
        {owner ? (
          <>
            Only members of the owning team,{' '}
            <Owner owner={owner} entityRef={entityRef} />, can reveal it.
          </>
        ) : (
          'Only members of the owning team can reveal it, and this integration has no owner.'
        )}
      </Text>
    );
  }
  return <ExternalIdReveal entityRef={entityRef} />;
}

/**
 * The external ID of an integration: revealed on demand to the owning team,
 * whom the permission allows; explained to everyone else. A role that
 * requires none gets a warning instead.
 */
export function ExternalIdField(props: ExternalIdFieldProps) {
  const { entityRef, owner, trustWithoutExternalId } = props;
  if (trustWithoutExternalId) {
    return (
      <Alert
        status="warning"
        icon
        title="No external ID"
        description={`${NO_EXTERNAL_ID_WARNING} See the finding trust-without-external-id in the audit, and add an sts:ExternalId condition to the trust policy.`}
      />
    );
  }
  return <ExternalIdAccess entityRef={entityRef} owner={owner} />;
}
