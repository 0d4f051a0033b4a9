import { Fragment } from 'react';
import { Link, Text } from '@backstage/ui';
import {
  AuditRuleId,
  TEMPLATE_NAMES,
} from '@internal/backstage-plugin-meter-siem-common';
import { Finding } from '../../api';
import { useTemplateLink } from '../useTemplateLink';

/** A template that carries out a remedy, and what its link says. */
export interface RemedyTemplate {
  templateName: string;
  label: string;
  /** Form values besides the integration. */
  formData?: Record<string, string>;
}

const FIX_OWNERSHIP_TAGS: RemedyTemplate = {
  templateName: TEMPLATE_NAMES.fixOwnershipTags,
  label: 'Fix the ownership tags',
};

/**
 * The rules whose remedy is one of the product's templates: the remedy's
 * text names it, the link opens it with the integration filled in.
 */
export const REMEDY_TEMPLATES: Partial<Record<AuditRuleId, RemedyTemplate>> = {
  'owner-tag-missing': FIX_OWNERSHIP_TAGS,
  'owner-unknown': FIX_OWNERSHIP_TAGS,
  'owner-mismatch': FIX_OWNERSHIP_TAGS,
  'required-tag-missing': FIX_OWNERSHIP_TAGS,
  'tag-value-not-allowed': FIX_OWNERSHIP_TAGS,
  'tag-key-case': FIX_OWNERSHIP_TAGS,
  'no-silence-alarm': {
    templateName: TEMPLATE_NAMES.alarm,
    label: 'Add the alarm on silence',
  },
  'rotation-half-done': {
    templateName: TEMPLATE_NAMES.rotateExternalId,
    label: 'Finish the rotation',
    formData: { step: 'finish' },
  },
};

/**
 * The link that carries out a finding's remedy, the form pre-filled;
 * undefined when no template does, or the app binds no scaffolder.
 */
export function useRemedyLink() {
  const templateLink = useTemplateLink();
  return (finding: Pick<Finding, 'ruleId' | 'entityRef'>) => {
    const template = REMEDY_TEMPLATES[finding.ruleId as AuditRuleId];
    if (!template) return undefined;
    const href = templateLink(template.templateName, {
      integration: finding.entityRef,
      ...template.formData,
    });
    return href ? { href, label: template.label } : undefined;
  };
}

/** A finding's remedy in full, and the link to the template that does it. */
export function Remedy(props: {
  finding: Pick<Finding, 'ruleId' | 'entityRef' | 'remedy'>;
  /** Starts the text with a bold "Remedy:", for a list rather than a table. */
  labelled?: boolean;
}) {
  const { finding, labelled } = props;
  const remedyLink = useRemedyLink();
  const link = remedyLink(finding);
  return (
    <Fragment>
      <Text as="p" variant="body-medium" style={{ overflowWrap: 'anywhere' }}>
        {labelled && <strong>Remedy: </strong>}
        {finding.remedy}
      </Text>
      {link && (
        <Link href={link.href} variant="body-medium" weight="bold">
          {link.label}
        </Link>
      )}
    </Fragment>
  );
}
