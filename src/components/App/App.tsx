import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppRootProps } from '@grafana/data';
import { ROUTES } from '../../constants';

const UploadPage = React.lazy(() => import('../../pages/Upload/ui/UploadPage'));

function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Upload} element={<UploadPage />} />
      <Route path="*" element={<Navigate to={ROUTES.Upload} replace />} />
    </Routes>
  );
}

export default App;
