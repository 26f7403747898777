import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # the ringlab_analysis package
sys.path.insert(0, HERE)                    # fixtures.py
