import React, { ReactNode, useId } from 'react';
import { Text } from '@grafana/ui';

/** One titled step of the Upload page, labelled by its heading for screen readers. */
export function PageSection({ title, children }: { title: string; children: ReactNode }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId}>
      <Text element="h2" variant="h4" id={headingId}>
        {title}
      </Text>
      {children}
    </section>
  );
}
