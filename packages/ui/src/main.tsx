import { render } from "solid-js/web";

function App() {
  return (
    <main>
      <h1>Pylon</h1>
      <p>
        The dashboard is on its way. Meanwhile the API is documented at <a href="/api/docs">/api/docs</a>.
      </p>
    </main>
  );
}

render(() => <App />, document.getElementById("root")!);
