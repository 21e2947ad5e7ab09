"""Plotly figure builders, one module per topic: plain values in, ``go.Figure`` out.

``common`` holds what every topic shares (the palettes, a heatmap, a bar chart); each other module
is named for the page or topic it draws. No Streamlit here. Figures leave the page's colours
(background, fonts) to the caller's theme.
"""
