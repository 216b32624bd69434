import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, useStyles2 } from '@grafana/ui';
import { useUploadPage } from '../domain/useUploadPage';
import { EmbeddedExploration } from './EmbeddedExploration';
import { ExistingDataNotice } from './ExistingDataNotice';
import { FileDrop } from './FileDrop';
import { PageSection } from './PageSection';
import { PlanSummary } from './PlanSummary';
import { PushPanel } from './PushPanel';
import { TargetForm } from './TargetForm';
import { ThreadFlameGraph } from './ThreadFlameGraph';
import { ThreadTable } from './ThreadTable';

/** Layout only: what it shows and what the user can do come from the page's view model (`useUploadPage`). */
export default function UploadPage() {
  const styles = useStyles2(getStyles);
  const { data, actions } = useUploadPage();

  return (
    <PluginPage subTitle="Put Speedscope profiles into Pyroscope: every thread its own series, nothing dropped.">
      <div className={styles.page}>
        <PageSection title="Files">
          <FileDrop
            files={data.files}
            maxFileSizeMb={data.maxFileSizeMb}
            onAdd={actions.dropFiles}
            onRemove={actions.removeFile}
          />
        </PageSection>

        {data.rows.length > 0 && (
          <PageSection title="Threads">
            <ThreadTable
              rows={data.rows}
              selectedKey={data.shownRow?.uiKey}
              threadLabelName={data.plan?.threadLabelName}
              services={data.plan?.services}
              fileServices={data.form.fileServices}
              onChange={actions.changeThread}
              onChangeFileService={actions.changeFileService}
              onToggleAll={actions.includeAll}
              onShow={actions.showThread}
            />
            {data.shownRow && (
              <ThreadFlameGraph
                row={data.shownRow}
                rows={data.flameGraphRows}
                collapsed={data.flameGraphCollapsed}
                onToggleCollapsed={actions.toggleFlameGraph}
                reveal={data.flameGraphReveal}
                skipTargetId={PUSH_SECTION_ID}
              />
            )}
          </PageSection>
        )}

        <PageSection title="Where and when">
          <TargetForm
            form={data.form}
            onChange={actions.changeForm}
            onPlaceAtNow={actions.placeAtNow}
            serviceName={data.serviceName}
            serviceNameProblem={data.serviceNameProblem}
            range={data.range}
            hasDatasources={data.hasDatasources}
            writeTargetUrl={data.writeTargetUrl}
            needsSampleRate={data.needsSampleRate}
          />
        </PageSection>

        {data.hasParsedFiles && (
          <PageSection title="What will be written">
            <PlanSummary
              plan={data.plan}
              problems={data.problems}
              planning={data.planning}
              sliceSeconds={data.form.sliceSeconds}
              onPlaceAtNow={actions.placeAtNow}
              onWidenSlices={actions.widenSlices}
            />
          </PageSection>
        )}

        {data.hasParsedFiles && (
          // Where "Skip to Push" moves focus: the next Tab reaches the Push button.
          <div id={PUSH_SECTION_ID} tabIndex={-1} className={styles.skipTarget}>
            <PageSection title="Push">
              {!data.canPush && (
                <Alert severity="info" title="Read-only">
                  Only Editors and Admins can push profiles. You can still inspect the files and their flame graphs.
                </Alert>
              )}
              <ExistingDataNotice
                check={data.existing}
                summary={data.existingSummary}
                onPlaceAfter={actions.placeAfterExisting}
              />
              <PushPanel
                plan={data.plan}
                state={data.push}
                disabledReason={data.disabledReason}
                targetLabel={data.targetLabel}
                datasourceUid={data.datasourceUid}
                hasWriteTarget={Boolean(data.writeTargetUrl)}
                onPush={actions.startPush}
                onCancel={actions.cancelPush}
                onRetry={actions.retryFailed}
                onDownload={actions.download}
              />
            </PageSection>
          </div>
        )}

        {data.exploration && (
          <PageSection title="Explore what arrived">
            <EmbeddedExploration
              component={data.exploration.component}
              choices={data.exploration.choices}
              chosen={data.exploration.chosen}
              onChoose={actions.chooseExploration}
            />
          </PageSection>
        )}
      </div>
    </PluginPage>
  );
}

const PUSH_SECTION_ID = 'upload-push';

const getStyles = (theme: GrafanaTheme2) => ({
  skipTarget: css({ '&:focus': { outline: 'none' } }),
  page: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(3),
    maxWidth: '100%',
    minWidth: 0,
    section: { display: 'flex', flexDirection: 'column', gap: theme.spacing(1), minWidth: 0 },
  }),
});
