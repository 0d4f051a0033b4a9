import {
  Badge,
  Button,
  Card,
  CardBody,
  CardHeader,
  Flex,
  Grid,
  Text,
} from '@backstage/ui';
import { SEVERITIES, Severity } from '../../api';
import { formatOwner } from '../../integration';
import { SeverityText } from '../Severity';
import { OwnerCount, severityLabel } from './findings';
import { plainListStyle } from '../plainList';

/** One card per severity; pressing one filters by it, pressing again clears. */
export function SeverityCounts(props: {
  counts: Record<Severity, number>;
  selected?: string;
  onSelect: (severity: Severity | undefined) => void;
}) {
  const { counts, selected, onSelect } = props;
  return (
    <Grid.Root columns={{ initial: '2', md: '4' }} gap="3">
      {SEVERITIES.map(severity => {
        const isSelected = selected === severity;
        const count = counts[severity];
        return (
          <Card
            key={severity}
            data-testid={`severity-${severity}`}
            label={`${severityLabel(severity)}: ${count} ${
              count === 1 ? 'finding' : 'findings'
            }${isSelected ? ', shown only' : ''}`}
            onPress={() => onSelect(isSelected ? undefined : severity)}
            style={
              isSelected
                ? { outline: '2px solid var(--bui-ring, currentColor)' }
                : undefined
            }
          >
            <CardBody>
              <Flex direction="column" gap="1">
                <SeverityText severity={severity} />
                <Text as="span" variant="title-medium" weight="bold">
                  {count}
                </Text>
                <Text as="span" variant="body-small" color="secondary">
                  {isSelected ? 'Only these shown' : 'findings'}
                </Text>
              </Flex>
            </CardBody>
          </Card>
        );
      })}
    </Grid.Root>
  );
}

const OWNERS_SHOWN = 8;

const listStyle = plainListStyle('1');

const itemStyle = {
  display: 'flex',
  alignItems: 'center',
  gap: 'var(--bui-space-2)',
} as const;

/** The owners with the most findings; pressing one filters by it. */
export function OwnerCounts(props: {
  owners: OwnerCount[];
  selected?: string;
  onSelect: (owner: string | undefined) => void;
  /** The owner's display name; the ref's short form without it. */
  ownerName?: (owner: string) => string | undefined;
}) {
  const { owners, selected, onSelect, ownerName = formatOwner } = props;
  const shown = owners.slice(0, OWNERS_SHOWN);
  const more = owners.length - shown.length;
  return (
    <Card>
      <CardHeader>
        <Text as="h3" variant="title-x-small" weight="bold">
          Findings by owner
        </Text>
      </CardHeader>
      <CardBody>
        {owners.length === 0 ? (
          <Text variant="body-medium" color="secondary">
            No owner has findings here.
          </Text>
        ) : (
          <ul style={listStyle}>
            {shown.map(({ owner, count, mine }) => {
              const name = owner ? ownerName(owner) ?? owner : 'No owner';
              const isSelected = !!owner && owner === selected;
              return (
                <li key={owner} style={itemStyle}>
                  {owner ? (
                    <Button
                      variant="tertiary"
                      size="small"
                      aria-label={`${name}: ${count} ${
                        count === 1 ? 'finding' : 'findings'
                      }`}
                      onPress={() => onSelect(isSelected ? undefined : owner)}
                    >
                      <Text weight={isSelected ? 'bold' : undefined}>
                        {name}
                      </Text>
                    </Button>
                  ) : (
                    <Text variant="body-medium" color="secondary">
                      {name}
                    </Text>
                  )}
                  <Text variant="body-medium" weight="bold">
                    {count}
                  </Text>
                  {mine && <Badge size="small">Your team</Badge>}
                </li>
              );
            })}
            {more > 0 && (
              <li>
                <Text variant="body-small" color="secondary">
                  and {more} more {more === 1 ? 'owner' : 'owners'}: use the
                  Owner filter
                </Text>
              </li>
            )}
          </ul>
        )}
      </CardBody>
    </Card>
  );
}
