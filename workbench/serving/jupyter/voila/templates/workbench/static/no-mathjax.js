/* A stand-in for MathJax 2 on widget-only pages (workbench/serving/app.py, page_config_hook).
   Voila's own MathJax 3 typesetter loads ~720 KB of scripts (~170 KB compressed) as soon as the
   first widget is drawn, on the page's critical path; these pages show no formulas, and a "$" in
   a statement ("costs in $") must stay a dollar sign.  JupyterLab's mathjax2 typesetter loads this
   file instead: configuring and typesetting do nothing, so texts are shown as written. */
window.MathJax = {
  Hub: {
    Config: function () {},
    Configured: function () {},
    Queue: function () {},
    Register: { StartupHook: function () {} }
  },
  Ajax: {},
  InputJax: { TeX: { resetEquationNumbers: function () {} } }
};
