import { ParsedFile } from '../../src/core/threads/threadModel';
import { summarizeFile } from '../../src/pages/Upload/domain/summaries';
import { UploadFile } from '../../src/pages/Upload/domain/uploadFiles';

/** Files parsed on "the worker side" and summarized as the page receives them; ids as the page gives them. */
export function parsedUploadFiles(parsed: ParsedFile[]): UploadFile[] {
  return parsed.map((file, i) => ({
    id: `file-${i}`,
    name: file.fileName,
    size: 1,
    status: 'parsed',
    progress: 1,
    parsed: summarizeFile(file),
  }));
}
