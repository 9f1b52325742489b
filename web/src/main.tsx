import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import './styles.css';
import { SessionProvider } from './session';
import { ErrorPage } from './components/ErrorPage';
import { Layout } from './components/Layout';
import { LoginPage } from './pages/LoginPage';
import { DashboardPage } from './pages/DashboardPage';
import { ConnectorsPage } from './pages/ConnectorsPage';
import { RulesPage } from './pages/RulesPage';
import { OrganizationPage } from './pages/OrganizationPage';
import { QuarantinePage } from './pages/QuarantinePage';
import { MessageTracePage } from './pages/MessageTracePage';
import { HuntingPage } from './pages/HuntingPage';
import { HistoricalSearchesPage } from './pages/HistoricalSearchesPage';
import { AuditLogPage } from './pages/AuditLogPage';

const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: <Layout />,
    errorElement: <ErrorPage />,
    children: [
      {
        errorElement: <ErrorPage />,
        children: [
      { index: true, element: <DashboardPage /> },
      { path: 'connectors', element: <ConnectorsPage /> },
      { path: 'rules', element: <RulesPage /> },
      { path: 'organization', element: <OrganizationPage /> },
      { path: 'quarantine', element: <QuarantinePage /> },
      { path: 'message-trace', element: <MessageTracePage /> },
      { path: 'hunting', element: <HuntingPage /> },
      { path: 'historical-searches', element: <HistoricalSearchesPage /> },
      { path: 'audit-log', element: <AuditLogPage /> },
        ],
      },
    ],
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  </StrictMode>,
);
