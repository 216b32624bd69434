import { css } from '@emotion/css';
import React, { MouseEvent, ReactNode } from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

/**
 * A link past a long part of the page (the flame graph's symbol table has dozens of stops), seen only while it has
 * keyboard focus. It moves focus itself: Grafana resolves `#id` links against `<base href>` and intercepts them.
 */
export function SkipLink({ targetId, children }: { targetId: string; children: ReactNode }) {
  const styles = useStyles2(getStyles);
  const skip = (event: MouseEvent<HTMLAnchorElement>) => {
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(targetId);
    target?.focus();
    target?.scrollIntoView?.({ block: 'start' });
  };
  return (
    <a href={`#${targetId}`} className={styles.link} onClick={skip}>
      {children}
    </a>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
    '&:focus, &:focus-visible': {
      position: 'static',
      width: 'auto',
      height: 'auto',
      clipPath: 'none',
      alignSelf: 'flex-start',
      padding: theme.spacing(0.5, 1),
      color: theme.colors.text.link,
      background: theme.colors.background.primary,
      outline: `2px solid ${theme.colors.primary.main}`,
      outlineOffset: 2,
    },
  }),
});
