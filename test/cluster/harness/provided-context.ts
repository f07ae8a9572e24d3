// What the cluster suite's globalSetup hands to every test file through vitest's provide/inject:
// `const { kubeconfigPath, server } = inject('controlPlane')`.
export interface ProvidedControlPlane {
  /** An admin (system:masters) kubeconfig; pass it as `--kubeconfig` or to KubeConfig.loadFromFile. */
  kubeconfigPath: string;
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** PEM of the cluster CA (serving certificate of the API server). */
  caPem: string;
  /** e.g. v1.35.4: the API server's version. */
  kubernetesVersion: string;
  /** The built helm binary (the cluster suite's chart tests run it). */
  helmPath: string;
  /** kubectl: `$KUBECTL` or `kubectl` on PATH. */
  kubectlPath: string;
  /** For debugging a failed test. */
  apiServerLogPath: string;
  etcdLogPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    controlPlane: ProvidedControlPlane;
  }
}
