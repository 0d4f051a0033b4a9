import { usePermission } from '@backstage/plugin-permission-react';
import { Alert, ButtonLink, Flex, Link, Text } from '@backstage/ui';
import {
  TEMPLATE_NAMES,
  meterSiemIntegrationManagePermission,
} from '@internal/backstage-plugin-meter-siem-common';
import { IntegrationView } from '../../integration';
import { useTemplateLink } from '../useTemplateLink';
import { DeliveryCheck } from './DeliveryCheck';

/** The day-two templates the card offers, in the order of a life. */
const ACTIONS = [
  {
    templateName: TEMPLATE_NAMES.verifyDelivery,
    label: 'Verify delivery',
    needsStream: true,
  },
  {
    templateName: TEMPLATE_NAMES.alarm,
    label: 'Alarm when events stop',
    needsStream: true,
  },
  {
    templateName: TEMPLATE_NAMES.update,
    label: 'Resize or reconfigure',
    needsStream: true,
  },
  {
    templateName: TEMPLATE_NAMES.rotateExternalId,
    label: 'Rotate the external ID',
    needsStream: false,
  },
  {
    templateName: TEMPLATE_NAMES.decommission,
    label: 'Decommission',
    needsStream: false,
  },
] as const;

function when(iso: string | undefined): string {
  if (!iso) return 'an unknown time';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** The alarm on silence, as the catalog last read it. */
export function AlarmState(props: { view: IntegrationView }) {
  const { silenceAlarm } = props.view;
  if (silenceAlarm === undefined) return null;
  if (silenceAlarm === null) return <>None</>;
  const state = silenceAlarm.state ?? 'state not known';
  const notifies = silenceAlarm.actions.length
    ? `notifies ${silenceAlarm.actions.length} topic${
        silenceAlarm.actions.length === 1 ? '' : 's'
      }`
    : 'notifies nobody';
  return (
    <>
      {state === 'ALARM' ? 'ALARM: no events for 10 minutes' : state}
      {silenceAlarm.catchesSilence
        ? `, ${notifies}`
        : ' (not on 10 minutes of silence)'}
    </>
  );
}

/**
 * What the owning team can do with an integration after day one: each
 * action opens its template with the integration filled in. A rotation
 * left half-done is shown to everyone, with the step that finishes it.
 */
export function DayTwo(props: { view: IntegrationView }) {
  const { view } = props;
  const templateLink = useTemplateLink();
  const manage = usePermission({
    permission: meterSiemIntegrationManagePermission,
    resourceRef: view.entityRef,
  });
  const integration = view.entityRef;
  const finishLink = templateLink(TEMPLATE_NAMES.rotateExternalId, {
    integration,
    step: 'finish',
  });
  return (
    <Flex direction="column" gap="3">
      {view.rotation && (
        <Alert
          status="warning"
          title={`External ID rotation in progress since ${when(
            view.rotation.startedAt,
          )}`}
          description={
            <Text variant="body-medium">
              The role accepts the old and the new external ID. Once
              Meter&apos;s Dashboard has the new one and shows the integration
              Active,{' '}
              {finishLink ? (
                <Link href={finishLink}>finish the rotation</Link>
              ) : (
                'finish the rotation'
              )}{' '}
              to retire the old one.
            </Text>
          }
        />
      )}
      {manage.allowed && view.streamArn && (
        <DeliveryCheck entityRef={view.entityRef} />
      )}
      {manage.allowed ? (
        <Flex gap="2" style={{ flexWrap: 'wrap' }}>
          {ACTIONS.filter(a => !a.needsStream || view.streamArn).map(action => {
            const href = templateLink(action.templateName, { integration });
            return href ? (
              <ButtonLink
                key={action.templateName}
                href={href}
                variant={
                  action.templateName === TEMPLATE_NAMES.decommission
                    ? 'tertiary'
                    : 'secondary'
                }
                size="small"
              >
                {action.label}
              </ButtonLink>
            ) : null;
          })}
        </Flex>
      ) : (
        !manage.loading && (
          <Text variant="body-medium" color="secondary">
            Only the owning team can verify, resize, rotate or decommission this
            integration.
          </Text>
        )
      )}
    </Flex>
  );
}
