import { useEffect, useState } from 'react';
import { PipelineClient } from '../infrastructure/pipelineClient';

/** The page's upload pipeline, started with the page and stopped with it (its worker too). */
export function usePipeline(): PipelineClient {
  const [pipeline] = useState(() => new PipelineClient());
  useEffect(() => () => pipeline.terminate(), [pipeline]);
  return pipeline;
}
